/**
 * Two settlement workers configured with the same settler key: one sends at a time (the settler
 * lease), and the other takes over within the lease's lifetime when the first dies.
 */
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { SettlerLease } from '../../lib/chain/settler-lease.js';
import {
  aFundedPayer,
  deployFixture,
  startChain,
  writeTestDeployment,
  type Chain,
  type Fixture,
} from '../support/chain.js';
import { aBatcher, aJob } from '../support/settlement.js';

let chain: Chain;
let f: Fixture;
let deployment: Awaited<ReturnType<typeof writeTestDeployment>>;
let redis: Redis;
const prefix = `gltest:lease:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const TTL_MS = 1000;
const quiet = pino({ level: 'silent' });

beforeAll(async () => {
  chain = await startChain();
  f = await deployFixture(chain);
  deployment = await writeTestDeployment(f);
  await aFundedPayer(f, chain.wallet(2), 1_000_000_000n, 1_000_000_000n);
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
}, 120_000);
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  chain?.stop();
  await deployment?.remove();
});

/** A batcher whose sends are guarded by the shared lease; the lease itself is returned too. */
function aWorker() {
  let lease: SettlerLease | undefined;
  const worker = aBatcher(chain, deployment.network, { SETTLEMENT_TX_TIMEOUT_MS: '60000' }, (settler) => {
    lease = new SettlerLease(redis, `${prefix}:settler-lease:${settler}`, quiet, TTL_MS);
    return lease;
  });
  return { ...worker, lease: () => lease! };
}

it('two workers with one settler key never replace each other’s transactions: one sends, the other waits for it', async () => {
  // The node mines only when told to: both workers' transactions would meet in its mempool.
  await chain.provider.send('evm_setAutomine', [false]);
  const miner = setInterval(() => void chain.provider.send('evm_mine', []).catch(() => {}), 300);
  try {
    const workers = [aWorker(), aWorker()];
    const submitted = workers.map((w, i) => w.batcher.submit(aJob(chain)).then((o) => ({ i, o })));
    // One of them holds the lease and settles; the other's job waits meanwhile.
    const first = await Promise.race(submitted);
    expect(first.o).toMatchObject({ status: 'CONFIRMED' });
    const other = workers[1 - first.i]!;
    expect(other.lease().fence).toBe(0);
    // The first stops (gives the lease up): the other takes over and settles its job.
    await workers[first.i]!.batcher.close();
    expect((await submitted[1 - first.i]!).o).toMatchObject({ status: 'CONFIRMED' });
    expect(other.lease().fence).toBeGreaterThan(workers[first.i]!.lease().fence);
    await other.batcher.close();
  } finally {
    clearInterval(miner);
    await chain.provider.send('evm_setAutomine', [true]);
  }
}, 60_000);

it('when the holder dies, the waiting worker takes over within the lease’s lifetime', async () => {
  const a = aWorker();
  expect(await a.batcher.submit(aJob(chain))).toMatchObject({ status: 'CONFIRMED' });
  // A crash: the lease is neither renewed nor given up.
  a.lease().abandon();
  const b = aWorker();
  const started = Date.now();
  expect(await b.batcher.submit(aJob(chain))).toMatchObject({ status: 'CONFIRMED' });
  const tookOver = Date.now() - started;
  expect(tookOver).toBeGreaterThanOrEqual(TTL_MS / 2);
  expect(tookOver).toBeLessThan(TTL_MS * 3);
  expect(b.lease().fence).toBeGreaterThan(a.lease().fence);
  // The old holder may not send any more.
  await expect(a.lease().check()).rejects.toThrow(/no longer ours/);
  await b.batcher.close();
}, 60_000);
