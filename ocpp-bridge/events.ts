import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { createRPCError } from 'ocpp-rpc';
import { lastSeenKey, liveStatusChannel, type LiveStatus } from '../lib/live-events.js';
import { JOB_RETENTION, jobId, QUEUE, type SessionEvent, type StationEvent } from '../lib/queues.js';
import type { Logger } from '../lib/logger.js';

class EnqueueTimeout extends Error {
  override name = 'EnqueueTimeout';
}

/**
 * Where the bridge puts what chargers say: durable BullMQ jobs for the owning services, pub/sub for
 * live status, a Redis hash for last-seen times. An enqueue that does not complete within the
 * timeout (Redis down: BullMQ would otherwise wait forever) becomes an OCPP InternalError with a
 * generic message, so the charger keeps the message and retries it.
 */
export class EventSink {
  private readonly station: Queue;
  private readonly session: Queue;
  private readonly seenAt = new Map<string, number>();
  private readonly stationBatch = {
    jobs: [] as { name: string; data: unknown; opts: { jobId: string } }[],
    done: null as Promise<unknown> | null,
  };
  private readonly sessionBatch = {
    jobs: [] as { name: string; data: unknown; opts: { jobId: string } }[],
    done: null as Promise<unknown> | null,
  };
  private unwrittenSeen = new Map<string, string>();
  private seenFlush: NodeJS.Timeout | undefined;

  constructor(
    private readonly opts: {
      /** A producer connection; with the offline queue off, commands fail fast while Redis is down. */
      queueRedis: Redis;
      /** A separate connection for publish and last-seen writes. */
      redis: Redis;
      prefix: string;
      enqueueTimeoutMs: number;
      lastSeenThrottleMs: number;
      logger: Logger;
      /** Observes how long each durable enqueue took. */
      onEnqueued?: (queue: string, seconds: number) => void;
    },
  ) {
    const queueOpts = {
      connection: opts.queueRedis,
      prefix: `${opts.prefix}:bull`,
      defaultJobOptions: JOB_RETENTION,
    };
    this.station = new Queue(QUEUE.stationEvents, queueOpts);
    this.session = new Queue(QUEUE.sessionEvents, queueOpts);
    // BullMQ re-emits connection errors on the queue; they are expected while Redis is down.
    for (const q of [this.station, this.session])
      q.on('error', (err) => opts.logger.debug({ err }, 'queue error'));
  }

  private async durably(work: Promise<unknown>, what: string, queue: string): Promise<void> {
    const started = process.hrtime.bigint();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new EnqueueTimeout(what)), this.opts.enqueueTimeoutMs);
    });
    try {
      await Promise.race([work, timeout]);
      this.opts.onEnqueued?.(queue, Number(process.hrtime.bigint() - started) / 1e9);
    } catch (err) {
      this.opts.logger.warn({ err, what }, 'could not enqueue; the charger is asked to retry');
      // OCPP-J: an InternalError tells the charger that the message was not processed.
      throw createRPCError('InternalError', 'Temporarily unable to process the message; retry later');
    } finally {
      clearTimeout(timer);
    }
  }

  /** Enqueues station events (job id per event) and resolves once Redis has them. */
  enqueueStation(events: { id: string; event: StationEvent }[]): Promise<void> {
    return this.durably(
      this.coalesce(this.station, this.stationBatch, events),
      'station event',
      QUEUE.stationEvents,
    );
  }

  /** Enqueues session events (one message's events in one atomic batch) and resolves once Redis has them. */
  enqueueSession(events: { id: string; event: SessionEvent }[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    return this.durably(
      this.coalesce(this.session, this.sessionBatch, events),
      'session event',
      QUEUE.sessionEvents,
    );
  }

  /**
   * Jobs enqueued in the same turn of the event loop go to Redis together: BullMQ's client costs
   * ~120 µs of CPU for a lone `add` and ~45 µs a job in an `addBulk` of ten (measured here), and under
   * load many messages arrive in one turn. A lone job takes the cheaper `add`.
   *
   * Tried and not kept: appending to a Redis stream per queue, forwarded into BullMQ by the owning
   * subgraphs. It took ~20 % off this process's CPU but added more in the forwarders (each batch
   * wakes an idle process and calls BullMQ; ~160 µs per job at 600 jobs/s with a 20 ms batching
   * window), so the platform spent ~20 % more per message, and events reached their queue later.
   * Nor a linger window before each batch: waiting 2, 5 or 10 ms gave 113, 110 and 94 µs of CPU per
   * message against 110 without (bench:ocpp, 1,500 msg/s), for that much later an answer to every
   * transaction message.
   */
  private coalesce(
    queue: Queue,
    batch: {
      jobs: { name: string; data: unknown; opts: { jobId: string } }[];
      done: Promise<unknown> | null;
    },
    events: { id: string; event: StationEvent | SessionEvent }[],
  ): Promise<unknown> {
    for (const { id, event } of events)
      batch.jobs.push({ name: event.kind, data: event, opts: { jobId: id } });
    batch.done ??= new Promise<void>((resolve) => setImmediate(resolve)).then((): Promise<unknown> => {
      const jobs = batch.jobs.splice(0);
      batch.done = null;
      const [only] = jobs;
      return jobs.length === 1 ? queue.add(only!.name, only!.data, only!.opts) : queue.addBulk(jobs);
    });
    return batch.done;
  }

  /**
   * A connector's (or, with evseId 0, the charger's) status: published live at once, then enqueued
   * durably for the station subgraph.
   */
  async reportStatus(
    identity: string,
    messageId: string,
    s: Omit<LiveStatus, 'identity' | 'receivedAt'> & { errorCode: string | null },
  ) {
    this.publishStatus({
      identity,
      evseId: s.evseId,
      connectorId: s.connectorId,
      status: s.status,
      at: s.at,
      receivedAt: Date.now(),
    });
    await this.enqueueStation([
      {
        id: jobId('status', identity, messageId),
        event: {
          kind: 'status',
          identity,
          evseId: s.evseId,
          connectorId: s.connectorId,
          status: s.status,
          errorCode: s.errorCode,
          at: s.at,
        },
      },
    ]);
  }

  /** Publishes live status; best effort (the durable status job follows the same path). */
  publishStatus(status: LiveStatus): void {
    this.opts.redis.publish(liveStatusChannel(this.opts.prefix), JSON.stringify(status)).catch(() => {});
  }

  /**
   * Records that a charger was heard from, at most once per throttle period per charger. Sightings
   * are written in one HSET per second for all chargers, not one command per charger.
   */
  seen(identity: string): void {
    const now = Date.now();
    const last = this.seenAt.get(identity) ?? 0;
    if (now - last < this.opts.lastSeenThrottleMs) return;
    this.seenAt.set(identity, now);
    this.unwrittenSeen.set(identity, new Date(now).toISOString());
    this.seenFlush ??= setTimeout(() => this.flushSeen(), 1000);
  }

  private flushSeen(): void {
    this.seenFlush = undefined;
    if (this.unwrittenSeen.size === 0) return;
    const batch = this.unwrittenSeen;
    this.unwrittenSeen = new Map();
    this.opts.redis.hset(lastSeenKey(this.opts.prefix), batch).catch(() => {
      for (const identity of batch.keys()) this.seenAt.delete(identity);
    });
  }

  /** The queues this sink produces to (for the queue gauges). */
  get queues(): Queue[] {
    return [this.station, this.session];
  }

  forget(identity: string): void {
    this.seenAt.delete(identity);
  }

  async close(): Promise<void> {
    clearTimeout(this.seenFlush);
    this.flushSeen();
    await Promise.allSettled([this.station.close(), this.session.close()]);
  }
}
