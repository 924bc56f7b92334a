import { Queue } from 'bullmq';
import { appendEvent, startStreamForwarder, type StreamForwarder } from '../../lib/event-stream.js';
import { createLogger } from '../../lib/logger.js';
import { eventStreamKey, jobId, QUEUE } from '../../lib/queues.js';
import { createRedis } from '../../lib/redis.js';
import { eventually } from '../support/chargers.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const logger = createLogger('event-stream-test', 'silent');
const redis = createRedis(redisUrl);
let prefix: string;
let stream: string;
let queue: Queue;
let forwarders: StreamForwarder[];

beforeEach(() => {
  prefix = `gltest:stream:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
  stream = eventStreamKey(prefix, QUEUE.sessionEvents);
  queue = new Queue(QUEUE.sessionEvents, { connection: redis, prefix: `${prefix}:bull` });
  forwarders = [];
});
afterEach(async () => {
  await Promise.all(forwarders.map((f) => f.close()));
  await queue.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
});
afterAll(() => redis.disconnect());

const aMeterEvent = (transactionId: string, energyWh: number) => ({
  id: jobId('meter', 'CP-1', transactionId, energyWh),
  name: 'meter',
  data: { kind: 'meter', identity: 'CP-1', transactionId, timestamp: '2026-11-02T10:00:00Z', energyWh },
});

async function append(...events: ReturnType<typeof aMeterEvent>[]) {
  const tx = redis.multi();
  for (const e of events) appendEvent(tx, stream, e);
  await tx.exec();
}

function forwarder(overrides: { claimIdleMs?: number } = {}) {
  const f = startStreamForwarder({
    stream,
    queue: QUEUE.sessionEvents,
    redisUrl,
    redisPrefix: prefix,
    blockMs: 200,
    logger,
    ...overrides,
  });
  forwarders.push(f);
  return f;
}

/** Entries still in the stream and entries delivered to some forwarder but not acknowledged. */
async function leftInStream() {
  const length = await redis.xlen(stream);
  const [pending] = (await redis.xpending(stream, 'forwarders').catch(() => [0])) as [number];
  return { length, pending };
}

const drained = () => eventually(leftInStream, (s) => s.length === 0 && s.pending === 0, 30_000);

it('turns each entry into a job with the entry’s id, name and data, then deletes the entry', async () => {
  const events = [aMeterEvent('7', 100), aMeterEvent('7', 200), aMeterEvent('8', 50)];
  await append(...events);

  forwarder();
  await drained();

  const jobs = await queue.getJobs(['waiting']);
  expect(jobs.map((j) => [j.id, j.name, j.data]).sort()).toEqual(
    events.map((e) => [e.id, e.name, e.data]).sort(),
  );
  expect(jobs[0]!.opts.attempts).toBe(12); // JOB_RETENTION applies
});

it('a repeated entry (same job id) makes no second job', async () => {
  const first = aMeterEvent('7', 100);
  await append(first, aMeterEvent('7', 200));
  forwarder();
  await drained();

  await append({ ...first, data: { ...first.data, energyWh: 999 } }, aMeterEvent('7', 300));
  await drained();

  const jobs = await queue.getJobs(['waiting']);
  expect(jobs).toHaveLength(3);
  expect((await queue.getJob(first.id))!.data.energyWh).toBe(100);
});

it('entries a dead forwarder left unacknowledged are claimed and forwarded by another', async () => {
  const events = [aMeterEvent('9', 10), aMeterEvent('9', 20)];
  await append(...events);
  // A forwarder that read the entries and died before adding them to the queue.
  await redis.xgroup('CREATE', stream, 'forwarders', '0');
  const read = await redis.xreadgroup('GROUP', 'forwarders', 'dead', 'COUNT', 10, 'STREAMS', stream, '>');
  expect((read as [string, unknown[]][])[0]![1]).toHaveLength(2);
  expect(await leftInStream()).toEqual({ length: 2, pending: 2 });

  forwarder({ claimIdleMs: 100 });
  await drained();

  const ids = (await queue.getJobs(['waiting'])).map((j) => j.id).sort();
  expect(ids).toEqual(events.map((e) => e.id).sort());
});

it('keeps forwarding after the stream and its group are gone (a Redis that restarted empty)', async () => {
  forwarder();
  await append(aMeterEvent('1', 1));
  await drained();

  await redis.del(stream); // takes the consumer group with it
  await append(aMeterEvent('1', 2));
  await drained();

  expect(await queue.getJob(aMeterEvent('1', 2).id)).toBeDefined();
});

it('close leaves the group once it holds nothing, and another forwarder takes over', async () => {
  const f = forwarder();
  await append(aMeterEvent('2', 1));
  await drained();
  await f.close();
  forwarders = [];
  const consumers = (await redis.xinfo('CONSUMERS', stream, 'forwarders')) as unknown[][];
  expect(consumers.flat()).not.toContain(f.consumer);

  await append(aMeterEvent('2', 2));
  forwarder();
  await drained();
  expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 2 });
});
