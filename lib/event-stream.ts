import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Queue } from 'bullmq';
import type { ChainableCommander } from 'ioredis';
import type { Logger } from './logger.js';
import { JOB_RETENTION } from './queues.js';
import { createRedis } from './redis.js';

/**
 * The hop between the OCPP bridge and the BullMQ event queues. The bridge appends each event to a
 * Redis stream per queue (`eventStreamKey` in `lib/queues.ts`): one XADD costs the bridge a few
 * microseconds where BullMQ's client costs ~45–120 µs a job. The queue's consumers run a forwarder
 * that moves the entries into the queue as jobs with the same deterministic ids. An entry is
 * acknowledged and deleted only once its job is in the queue, so an event the bridge acknowledged
 * to a charger reaches the queue even if a forwarder dies halfway (another one claims its entries).
 */

/** One event in a stream: the job it becomes. */
export interface StreamEvent {
  /** The deterministic job id (`jobId` in `lib/queues.ts`); BullMQ ignores a repeated one. */
  id: string;
  /** The job name: the event's kind. */
  name: string;
  data: unknown;
}

/** Appends an event to a stream, as part of a pipeline or transaction. */
export function appendEvent(tx: ChainableCommander, stream: string, event: StreamEvent): ChainableCommander {
  return tx.xadd(stream, '*', 'id', event.id, 'name', event.name, 'data', JSON.stringify(event.data));
}

type Entry = [entryId: string, fields: string[] | null];

export interface StreamForwarderOptions {
  stream: string;
  /** The BullMQ queue the entries become jobs of. */
  queue: string;
  redisUrl: string;
  redisPrefix: string;
  /** The consumer group that the forwarders of one stream share. */
  group?: string;
  /** The most entries read and forwarded (in one `addBulk`) at a time. */
  batchSize?: number;
  /** How long a read waits for new entries when the stream is empty. */
  blockMs?: number;
  /** Entries of another forwarder that were not acknowledged for this long are taken over. */
  claimIdleMs?: number;
  /**
   * How long entries gather before the next batch is read, unless the last batch was full. A batch
   * costs a forwarder that is otherwise idle ~0.6–1 ms of CPU (waking up, two round trips, BullMQ's
   * pipeline) besides ~35–50 µs a job, so small batches cost several times what large ones do; an
   * entry waits up to this much longer. The first entry after a quiet spell is forwarded at once.
   */
  lingerMs?: number;
  logger: Logger;
}

/**
 * Forwards a stream's entries into a BullMQ queue: XREADGROUP in batches, `addBulk` with the
 * entries' job ids and `JOB_RETENTION`, then XDEL and XACK, sent with the read of the next batch.
 * Any number of forwarders may run; the consumer group shares the entries among them. Delivery is
 * at least once: an entry whose job was added but not yet acknowledged is forwarded again, and
 * BullMQ ignores the repeated job id.
 */
export function startStreamForwarder(opts: StreamForwarderOptions) {
  const { stream, logger } = opts;
  const group = opts.group ?? 'forwarders';
  const consumer = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const batchSize = opts.batchSize ?? 300;
  const blockMs = opts.blockMs ?? 2000;
  const claimIdleMs = opts.claimIdleMs ?? 30_000;
  const lingerMs = opts.lingerMs ?? 20;
  // Blocking reads get a connection of their own; acknowledgements, other reads and claims share a
  // second; BullMQ gets a third, because it defines ~50 scripts on its connection and ioredis copies
  // them into every pipeline or transaction made on that connection.
  const reader = createRedis(opts.redisUrl);
  const writer = createRedis(opts.redisUrl);
  const queueConnection = createRedis(opts.redisUrl);
  for (const r of [reader, writer, queueConnection])
    r.on('error', (err) => logger.debug({ err, stream }, 'redis connection error'));
  const queue = new Queue(opts.queue, {
    connection: queueConnection,
    prefix: `${opts.redisPrefix}:bull`,
    defaultJobOptions: JOB_RETENTION,
  });
  queue.on('error', (err) => logger.debug({ err, stream }, 'queue error'));

  let closing = false;
  let forwarded = 0;
  let batches = 0;
  let groupReady = false;
  // Entries delivered to this consumer but not acknowledged (after a failure) are read again first.
  let ownPending = true;
  let nextClaimAt = 0;
  let wake: (() => void) | undefined;

  async function ensureGroup() {
    try {
      // From the start of the stream: entries appended before the group existed are forwarded too.
      await writer.xgroup('CREATE', stream, group, '0', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).startsWith('BUSYGROUP')) throw err;
    }
    groupReady = true;
  }

  /** Adds the entries' jobs to the queue. */
  async function add(entries: Entry[]) {
    const jobs: { name: string; data: unknown; opts: { jobId: string } }[] = [];
    for (const [entryId, fields] of entries) {
      // An entry deleted after it was delivered comes back without fields: it was forwarded already.
      if (!fields) continue;
      const f: Record<string, string> = {};
      for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
      try {
        jobs.push({ name: f.name!, data: JSON.parse(f.data!), opts: { jobId: f.id! } });
      } catch (err) {
        // Retrying cannot fix it, and keeping it would hold up the stream: log it and drop it.
        logger.error({ err, stream, entryId, entry: f }, 'malformed stream entry dropped');
      }
    }
    if (jobs.length) await queue.addBulk(jobs);
    return jobs.length;
  }

  /**
   * Deletes and acknowledges entries whose jobs are in the queue and, with `readNext`, reads up to
   * that many new entries in the same round trip. XDEL comes first and needs no transaction with
   * XACK: an entry deleted but left unacknowledged comes back without fields and is acknowledged
   * then, whereas one acknowledged but not deleted would stay in the stream for good.
   */
  async function acknowledge(entries: Entry[], readNext = 0): Promise<Entry[]> {
    const ids = entries.map(([id]) => id);
    const pipeline = writer
      .pipeline()
      .xdel(stream, ...ids)
      .xack(stream, group, ...ids);
    if (readNext > 0)
      pipeline.xreadgroup('GROUP', group, consumer, 'COUNT', readNext, 'STREAMS', stream, '>');
    const results = await pipeline.exec();
    if (!results) throw new Error('acknowledgement pipeline aborted');
    for (const [err] of results) if (err) throw err;
    return readNext > 0 ? entriesOf(results[2]![1]) : [];
  }

  async function forward(entries: Entry[]) {
    if (entries.length === 0) return;
    const jobs = await add(entries);
    await acknowledge(entries);
    forwarded += jobs;
  }

  /** Forwards entries that another forwarder (probably a dead one) has not acknowledged in time. */
  async function claimAbandoned() {
    let start = '0-0';
    do {
      const [next, entries] = (await writer.xautoclaim(
        stream,
        group,
        consumer,
        claimIdleMs,
        start,
        'COUNT',
        batchSize,
      )) as [string, Entry[]];
      if (entries.length) logger.info({ stream, entries: entries.length }, 'forwarding abandoned entries');
      await forward(entries);
      start = next;
    } while (start !== '0-0' && !closing);
  }

  /** This consumer's unacknowledged entries. */
  const readPending = async () =>
    entriesOf(await writer.xreadgroup('GROUP', group, consumer, 'COUNT', batchSize, 'STREAMS', stream, '0'));

  /** New entries, waiting up to `blockMs` for the first. */
  const readNew = async () =>
    entriesOf(
      await reader.xreadgroup(
        'GROUP',
        group,
        consumer,
        'COUNT',
        batchSize,
        'BLOCK',
        blockMs,
        'STREAMS',
        stream,
        '>',
      ),
    );

  async function run() {
    let failures = 0;
    // Entries read along with the last acknowledgement.
    let next: Entry[] = [];
    while (!closing) {
      try {
        if (!groupReady) await ensureGroup();
        if (Date.now() >= nextClaimAt) {
          nextClaimAt = Date.now() + Math.max(1000, claimIdleMs / 2);
          await claimAbandoned();
        }
        let entries = next;
        next = [];
        if (ownPending) {
          entries = await readPending();
          if (entries.length === 0) ownPending = false;
        } else if (entries.length === 0) {
          entries = await readNew();
        }
        if (entries.length === 0) continue;
        const readAt = performance.now();
        const jobs = await add(entries);
        // Let the next batch gather while this one is in flight, unless entries are waiting already.
        const wait = readAt + lingerMs - performance.now();
        if (!ownPending && entries.length < batchSize && wait > 0)
          await new Promise((resolve) => setTimeout(resolve, wait));
        next = await acknowledge(entries, ownPending || closing ? 0 : batchSize);
        forwarded += jobs;
        batches++;
        failures = 0;
      } catch (err) {
        if (closing) break;
        next = [];
        ownPending = true;
        // A Redis that restarted empty has no group any more; the stream starts afresh too.
        if (String((err as Error).message).startsWith('NOGROUP')) {
          groupReady = false;
          continue;
        }
        failures++;
        logger.warn({ err, stream }, 'could not forward stream entries; retrying');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(5000, 100 * 2 ** failures));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }

  const running = run();
  return {
    consumer,
    /** Jobs forwarded so far by this forwarder. */
    forwarded: () => forwarded,
    /** Batches forwarded so far (each one `addBulk`). */
    batches: () => batches,
    /**
     * Stops reading, forwards what this consumer still holds and leaves the group if it holds
     * nothing more (what it still holds is claimed by another forwarder after `claimIdleMs`).
     */
    close: async () => {
      closing = true;
      reader.disconnect(); // ends a blocking read at once
      wake?.();
      await running;
      try {
        if (writer.status !== 'ready') throw new Error('Redis unavailable');
        for (let entries = await readPending(); entries.length; entries = await readPending())
          await forward(entries);
        await writer.xgroup('DELCONSUMER', stream, group, consumer);
      } catch (err) {
        logger.debug({ err, stream }, 'entries left for another forwarder');
      }
      await queue.close();
      writer.disconnect();
      queueConnection.disconnect();
    },
  };
}

/** The entries of an XREADGROUP reply for one stream. */
const entriesOf = (reply: unknown) => (reply as [string, Entry[]][] | null)?.[0]?.[1] ?? [];

export type StreamForwarder = ReturnType<typeof startStreamForwarder>;
