/**
 * The settlement worker on a chain that does not behave: confirmations that never come, a block
 * reorganised out under a waiting transaction, an RPC that refuses unbounded log queries, and a
 * record id the chain settled with other terms than the job's.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Contract } from 'ethers';
import { deployPayments } from '../../lib/chain/contracts.js';
import {
  aFundedPayer,
  deployFixture,
  mined,
  startChain,
  writeTestDeployment,
  type Chain,
  type Fixture,
} from '../support/chain.js';
import { eventually } from '../support/chargers.js';
import { aBatcher, aJob } from '../support/settlement.js';
import type { SettleSessionJob } from '../../lib/queues.js';

let chain: Chain;
let f: Fixture;
let deployment: Awaited<ReturnType<typeof writeTestDeployment>>;

beforeAll(async () => {
  chain = await startChain();
  f = await deployFixture(chain);
  deployment = await writeTestDeployment(f);
  await aFundedPayer(f, chain.wallet(2), 1_000_000_000n, 1_000_000_000n);
}, 120_000);
afterAll(async () => {
  chain?.stop();
  await deployment?.remove();
});

/** Settles the job's record straight from the settler's account, as another worker would have. */
const settleDirectly = (job: SettleSessionJob, overrides: Partial<SettleSessionJob> = {}) => {
  const terms = { ...job, ...overrides };
  return mined(
    (f.payments.connect(f.settler) as Contract).getFunction('settleSessions')([
      {
        recordId: BigInt(terms.recordId),
        payer: terms.payer,
        payee: terms.payee,
        amount: BigInt(terms.amount),
        recordHash: terms.recordHash,
      },
    ]),
  );
};

it('a wait for confirmations that never come ends (the job is retried) instead of blocking every later batch', async () => {
  // Automine: the batch's block is the last one until something else is sent.
  const { batcher } = aBatcher(chain, deployment.network, {
    CHAIN_CONFIRMATIONS: '3',
    SETTLEMENT_TX_TIMEOUT_MS: '1000',
  });
  const started = Date.now();
  await expect(batcher.submit(aJob(chain))).rejects.toThrow(/did not reach 3 confirmations within 3000 ms/);
  expect(Date.now() - started).toBeLessThan(10_000);
}, 20_000);

it('a transaction whose block is reorganised out during the wait is not CONFIRMED; the retry settles the record once', async () => {
  const { batcher } = aBatcher(chain, deployment.network, {
    CHAIN_CONFIRMATIONS: '2',
    SETTLEMENT_TX_TIMEOUT_MS: '20000',
  });
  const job = aJob(chain);
  const snapshot = await chain.provider.send('evm_snapshot', []);
  const waiting = batcher.submit(job);
  const outcome = waiting.then(
    (o) => ({ o }),
    (err: Error) => ({ err }),
  );
  await eventually(
    () => f.payments.isSessionSettled(BigInt(job.recordId)) as Promise<boolean>,
    (settled) => settled,
  );
  // The block with the settlement goes away (a reorganisation), before its second confirmation.
  await chain.provider.send('evm_revert', [snapshot]);
  await chain.provider.send('evm_mine', []);
  const first = await outcome;
  expect('err' in first && first.err.message).toMatch(/no longer on chain/);
  expect(await f.payments.isSessionSettled(BigInt(job.recordId))).toBe(false);
  // BullMQ retries the job: it is sent again, and confirmed once a block follows.
  const retry = batcher.submit(job);
  const miner = setInterval(() => void chain.provider.send('evm_mine', []).catch(() => {}), 200);
  try {
    expect(await retry).toMatchObject({ status: 'CONFIRMED' });
  } finally {
    clearInterval(miner);
  }
  expect(await f.payments.isSessionSettled(BigInt(job.recordId))).toBe(true);
}, 60_000);

it('a record the chain settled with other terms is FAILED with the difference and an alert, never CONFIRMED', async () => {
  const { batcher, logs } = aBatcher(chain, deployment.network);
  const job = aJob(chain);
  await settleDirectly(job, { payee: chain.wallet(4).address, amount: '999' });
  const outcome = await batcher.submit(job);
  expect(outcome.status).toBe('FAILED');
  expect(outcome.status === 'FAILED' && outcome.failureReason).toMatch(/payee .* ≠ .*; amount 999 ≠ 1000000/);
  expect(logs.some((l) => String(l.msg).startsWith('ALERT'))).toBe(true);
  // With the same terms, the earlier settlement is this job's: CONFIRMED from its event.
  const same = aJob(chain);
  const receipt = await settleDirectly(same);
  expect(await batcher.submit(same)).toMatchObject({ status: 'CONFIRMED', txHash: receipt.hash });
}, 60_000);

it('a settlement found on chain (a crash after sending) is CONFIRMED only once it has its confirmations', async () => {
  const { batcher } = aBatcher(chain, deployment.network, { CHAIN_CONFIRMATIONS: '3' });
  const job = aJob(chain);
  await settleDirectly(job);
  await expect(batcher.submit(job)).rejects.toThrow(/is not final \(1 of 3 confirmations\)/);
  await chain.provider.send('hardhat_mine', ['0x2']);
  expect(await batcher.submit(job)).toMatchObject({ status: 'CONFIRMED' });
}, 60_000);

it('finds a record’s event through an RPC that refuses log queries over more than 1,000 blocks', async () => {
  // A JSON-RPC proxy with a hosted provider's rule: eth_getLogs needs a numeric range of ≤ 1,000 blocks.
  const refused: unknown[] = [];
  const proxy: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const call = JSON.parse(body) as {
        id: number;
        method: string;
        params: { fromBlock?: string; toBlock?: string }[];
      };
      const range = call.method === 'eth_getLogs' ? call.params[0]! : null;
      const numeric = (v?: string) => (v && /^0x[0-9a-f]+$/i.test(v) ? Number(v) : null);
      if (range) {
        const from = numeric(range.fromBlock);
        const to = numeric(range.toBlock);
        if (from === null || to === null || to - from >= 1000) {
          refused.push(range);
          res.setHeader('content-type', 'application/json');
          res.end(
            JSON.stringify({
              jsonrpc: '2.0',
              id: call.id,
              error: { code: -32005, message: 'block range too large' },
            }),
          );
          return;
        }
      }
      void fetch(chain.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then(
        async (r) => {
          res.setHeader('content-type', 'application/json');
          res.end(await r.text());
        },
      );
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  try {
    const job = aJob(chain);
    const receipt = await settleDirectly(job);
    // 2,500 blocks after it: the event is three pages back from the head.
    await chain.provider.send('hardhat_mine', ['0x9c4']);
    const { batcher } = aBatcher(chain, deployment.network, {
      CHAIN_RPC_URL: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    });
    expect(await batcher.submit(job)).toMatchObject({ status: 'CONFIRMED', txHash: receipt.hash });
    expect(refused).toEqual([]);
  } finally {
    proxy.close();
  }
}, 60_000);

it('with `finalized` finality a settlement is CONFIRMED only once the chain’s finalized block reaches it', async () => {
  // A JSON-RPC proxy whose `finalized` block stays where it was until the test lets it move.
  let finalizedAt: number | null = await chain.provider.getBlockNumber();
  const proxy: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const call = JSON.parse(body) as { id: number; method: string; params: unknown[] };
      if (call.method === 'eth_getBlockByNumber' && call.params[0] === 'finalized' && finalizedAt !== null)
        call.params[0] = `0x${finalizedAt.toString(16)}`;
      void fetch(chain.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(call),
      }).then(async (r) => {
        res.setHeader('content-type', 'application/json');
        res.end(await r.text());
      });
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  try {
    const { batcher } = aBatcher(chain, deployment.network, {
      CHAIN_RPC_URL: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
      CHAIN_FINALITY: 'finalized',
      SETTLEMENT_FINALITY_TIMEOUT_MS: '30000',
    });
    const job = aJob(chain);
    let outcome: unknown = null;
    const settled = batcher.submit(job).then((o) => (outcome = o));
    // Mined, but not final: the record waits.
    await eventually(
      () => f.payments.isSessionSettled(BigInt(job.recordId)) as Promise<boolean>,
      (x) => x,
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect(outcome).toBeNull();
    // The chain finalizes: CONFIRMED.
    finalizedAt = null;
    await settled;
    expect(outcome).toMatchObject({ status: 'CONFIRMED' });
  } finally {
    proxy.close();
  }
}, 60_000);

it('a look-alike SessionSettled from another deployment with the same record id is not taken for the payment', async () => {
  // Someone deploys the same contract and settles the job's record id there, with the same terms.
  const other = await deployPayments({
    deployer: f.admin,
    settler: f.settler.address,
    token: await f.stable.getAddress(),
  });
  const forged = new Contract(other.paymentsContract, f.payments.interface, f.settler);
  const job = aJob(chain);
  await aFundedPayer({ ...f, payments: forged }, chain.wallet(2), 10_000_000n, 10_000_000n);
  await mined(
    forged.getFunction('settleSessions')([
      {
        recordId: BigInt(job.recordId),
        payer: job.payer,
        payee: job.payee,
        amount: BigInt(job.amount),
        recordHash: job.recordHash,
      },
    ]),
  );
  const { batcher } = aBatcher(chain, deployment.network);
  const outcome = await batcher.submit(job);
  // Paid on the deployment's own contract, once; the look-alike changed nothing.
  const events = await f.payments.queryFilter(f.payments.filters.SessionSettled!(BigInt(job.recordId)));
  expect(events).toHaveLength(1);
  expect(outcome).toMatchObject({ status: 'CONFIRMED', txHash: events[0]!.transactionHash });
}, 60_000);

it('an RPC that dies right after taking the batch’s transaction: the retry finds it on chain and pays nothing twice', async () => {
  let dying = true;
  const proxy: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const call = JSON.parse(body) as { method: string };
      void fetch(chain.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then(
        async (r) => {
          const text = await r.text();
          // The node took the transaction; the answer never comes back.
          if (dying && call.method === 'eth_sendRawTransaction') return void res.socket?.destroy();
          res.setHeader('content-type', 'application/json');
          res.end(text);
        },
      );
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  try {
    const env = { CHAIN_RPC_URL: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` };
    const job = aJob(chain);
    const escrowBefore = ((await f.payments.escrowOf(job.payer)) as bigint[])[0]!;
    await expect(aBatcher(chain, deployment.network, env).batcher.submit(job)).rejects.toThrow();
    // Mined all the same.
    expect(await f.payments.isSessionSettled(BigInt(job.recordId))).toBe(true);
    dying = false;
    const outcome = await aBatcher(chain, deployment.network, env).batcher.submit(job);
    const events = await f.payments.queryFilter(f.payments.filters.SessionSettled!(BigInt(job.recordId)));
    expect(events).toHaveLength(1);
    expect(outcome).toMatchObject({ status: 'CONFIRMED', txHash: events[0]!.transactionHash });
    expect(((await f.payments.escrowOf(job.payer)) as bigint[])[0]).toBe(escrowBefore - BigInt(job.amount));
  } finally {
    proxy.close();
  }
}, 60_000);

it('on a chain mining on its own (automine off, a block every 300 ms), a reorganised batch ends paid once per record, CONFIRMED only once final in the chain that stays', async () => {
  await chain.provider.send('evm_setAutomine', [false]);
  await chain.provider.send('evm_setIntervalMining', [300]);
  try {
    const { batcher } = aBatcher(chain, deployment.network, {
      CHAIN_CONFIRMATIONS: '3',
      SETTLEMENT_TX_TIMEOUT_MS: '20000',
    });
    const jobs = [aJob(chain), aJob(chain), aJob(chain)];
    const escrowBefore = ((await f.payments.escrowOf(jobs[0]!.payer)) as bigint[])[0]!;
    /** The outcome, with the chain's head when it came: CONFIRMED must be three deep by then. */
    const settle = (j: SettleSessionJob) =>
      batcher.submit(j).then(async (o) => ({ o, head: await chain.provider.getBlockNumber() }));
    const snapshot = await chain.provider.send('evm_snapshot', []);
    const first = Promise.allSettled(jobs.map(settle));
    await eventually(
      () => f.payments.isSessionSettled(BigInt(jobs[0]!.recordId)) as Promise<boolean>,
      (settled) => settled,
    );
    // The batch's block goes away before it is three deep (a reorganisation); the node mines on. The
    // transaction may come back in a later block (as on a real chain) or not: then BullMQ retries.
    await chain.provider.send('evm_revert', [snapshot]);
    const firstOutcomes = await first;
    const outcomes = await Promise.all(
      firstOutcomes.map((r, i) => (r.status === 'fulfilled' ? r.value : settle(jobs[i]!))),
    );
    for (const [i, { o, head }] of outcomes.entries()) {
      expect(o).toMatchObject({ status: 'CONFIRMED' });
      const confirmed = o as { txHash: string; blockNumber: number };
      expect(head - confirmed.blockNumber + 1).toBeGreaterThanOrEqual(3);
      // The block it names is the one the chain kept.
      const events = await f.payments.queryFilter(
        f.payments.filters.SessionSettled!(BigInt(jobs[i]!.recordId)),
      );
      expect(events).toHaveLength(1);
      expect([events[0]!.transactionHash, events[0]!.blockNumber]).toEqual([
        confirmed.txHash,
        confirmed.blockNumber,
      ]);
    }
    expect(((await f.payments.escrowOf(jobs[0]!.payer)) as bigint[])[0]).toBe(
      escrowBefore - 3n * BigInt(jobs[0]!.amount),
    );
  } finally {
    await chain.provider.send('evm_setIntervalMining', [0]);
    await chain.provider.send('evm_setAutomine', [true]);
  }
}, 60_000);
