/**
 * A settlement job that gives up (attempts used up) reports its session FAILED with a reason, so
 * that no session stays SUBMITTED for good; the reason names no internal host.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { loadConfig } from '../../lib/config.js';
import {
  SETTLEMENT_OUTCOMES_QUEUE,
  SETTLEMENT_QUEUE,
  type SettleSessionJob,
  type SettlementOutcomeJob,
} from '../../lib/queues.js';
import { startSettlementWorker } from '../../workers/settlement/index.js';
import { eventually } from '../support/chargers.js';
import { freePort } from '../support/platform.js';

const prefix = `gltest:final:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
let stop: (() => Promise<void>) | undefined;
const queues: Queue[] = [];
const connections: Redis[] = [];

afterAll(async () => {
  await stop?.();
  await Promise.all(queues.map((q) => q.close()));
  for (const c of connections) c.disconnect();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

it('a settlement whose sends keep failing ends FAILED with a reason for the API, not SUBMITTED', async () => {
  // A chain nobody answers at: every attempt fails.
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    REDIS_URL,
    REDIS_PREFIX: prefix,
    CHAIN_RPC_URL: 'http://127.0.0.1:9',
    SETTLEMENT_NETWORK: 'no-such-network',
    SETTLEMENT_BATCH_WINDOW_MS: '0',
  });
  const worker = await startSettlementWorker(config, await freePort());
  stop = worker.close;
  const connection = () => {
    const c = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    connections.push(c);
    return c;
  };
  const settlements = new Queue<SettleSessionJob>(SETTLEMENT_QUEUE, {
    connection: connection(),
    prefix: `${prefix}:bull`,
  });
  const outcomes = new Queue<SettlementOutcomeJob>(SETTLEMENT_OUTCOMES_QUEUE, {
    connection: connection(),
    prefix: `${prefix}:bull`,
  });
  queues.push(settlements, outcomes);
  await settlements.add(
    'settle',
    {
      sessionId: 'session-final-1',
      recordId: '1',
      payer: '0x0000000000000000000000000000000000000001',
      payee: '0x0000000000000000000000000000000000000002',
      amount: '1000',
      recordHash: `0x${'ab'.repeat(32)}`,
    },
    { jobId: 'session-final-1', attempts: 2, backoff: { type: 'fixed', delay: 10 } },
  );
  const reported = await eventually(
    async () =>
      (await outcomes.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed'])).map((j) => j.data),
    (list) => list.some((o) => o.status === 'FAILED'),
  );
  const failed = reported.find((o) => o.status === 'FAILED')!;
  expect(failed).toMatchObject({ sessionId: 'session-final-1', status: 'FAILED' });
  expect(failed.status === 'FAILED' && failed.failureReason).toMatch(/sending failed 2 time\(s\)/);
  expect(JSON.stringify(failed)).not.toMatch(/127\.0\.0\.1|no-such-network/);
}, 60_000);
