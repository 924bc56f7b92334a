import type { ChainableCommander, Redis } from 'ioredis';
import { createRPCError } from 'ocpp-rpc';
import { appendEvent } from '../lib/event-stream.js';
import {
  eventStreamKey,
  jobId,
  lastSeenKey,
  type LiveStatus,
  liveStatusChannel,
  QUEUE,
  type SessionEvent,
  type StationEvent,
} from '../lib/queues.js';
import type { Logger } from '../lib/logger.js';

class EnqueueTimeout extends Error {
  override name = 'EnqueueTimeout';
}

/**
 * Where the bridge puts what chargers say: durable events on a Redis stream per queue (the queues'
 * consumers forward them into BullMQ, `lib/event-stream.ts`), pub/sub for live status, a Redis hash
 * for last-seen times. An append that fails or does not complete within the timeout (Redis down)
 * becomes an OCPP InternalError with a generic message, so the charger keeps the message and
 * retries it.
 */
export class EventSink {
  private readonly stationStream: string;
  private readonly sessionStream: string;
  private readonly seenAt = new Map<string, number>();
  /** The transaction collecting this event-loop turn's appends, and its outcome. */
  private batch: { tx: ChainableCommander; done: Promise<void> } | null = null;
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
    },
  ) {
    this.stationStream = eventStreamKey(opts.prefix, QUEUE.stationEvents);
    this.sessionStream = eventStreamKey(opts.prefix, QUEUE.sessionEvents);
  }

  private async durably(work: Promise<void>, what: string): Promise<void> {
    try {
      await work;
    } catch (err) {
      this.opts.logger.warn({ err, what }, 'could not enqueue; the charger is asked to retry');
      // OCPP-J: an InternalError tells the charger that the message was not processed.
      throw createRPCError('InternalError', 'Temporarily unable to process the message; retry later');
    }
  }

  /** Appends station events (job id per event) and resolves once Redis has them. */
  enqueueStation(events: { id: string; event: StationEvent }[]): Promise<void> {
    return this.durably(this.append(this.stationStream, events), 'station event');
  }

  /** Appends session events (one message's events all or none) and resolves once Redis has them. */
  enqueueSession(events: { id: string; event: SessionEvent }[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    return this.durably(this.append(this.sessionStream, events), 'session event');
  }

  /**
   * Events appended in the same turn of the event loop go to Redis in one MULTI/EXEC, so a
   * message's events land together or not at all, and under load many messages share one round
   * trip. The turn's messages are answered when the transaction has succeeded.
   */
  private append(stream: string, events: { id: string; event: StationEvent | SessionEvent }[]) {
    if (!this.batch) {
      const tx = this.opts.queueRedis.multi();
      const done = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        this.batch = null;
        return this.commit(tx);
      });
      this.batch = { tx, done };
    }
    for (const { id, event } of events)
      appendEvent(this.batch.tx, stream, { id, name: event.kind, data: event });
    return this.batch.done;
  }

  private async commit(tx: ChainableCommander): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new EnqueueTimeout()), this.opts.enqueueTimeoutMs);
    });
    try {
      const results = await Promise.race([tx.exec(), timeout]);
      const failed = results?.find(([err]) => err)?.[0];
      if (!results || failed) throw failed ?? new Error('event transaction aborted');
    } finally {
      clearTimeout(timer);
    }
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

  forget(identity: string): void {
    this.seenAt.delete(identity);
  }

  async close(): Promise<void> {
    clearTimeout(this.seenFlush);
    this.flushSeen();
    await this.batch?.done.catch(() => {});
  }
}
