/**
 * The settlement worker's transactions on a node that does not mine on its own (automine off, no
 * interval mining): a transaction not mined in time is replaced at its nonce with higher fees, a stuck
 * one left by an earlier process is replaced, and a nonce taken by a transaction that is not ours
 * fails the batch with a clear error; whatever happens, each record is settled once.
 */
import {
  aFundedPayer,
  deployFixture,
  startChain,
  writeTestDeployment,
  type Chain,
  type Fixture,
} from '../support/chain.js';
import { eventually } from '../support/chargers.js';
import { aBatcher as settlementBatcher, aJob as settlementJob } from '../support/settlement.js';

let chain: Chain;
let f: Fixture;
let deployment: Awaited<ReturnType<typeof writeTestDeployment>>;

/** The pending transaction fields as the node reports them (hex quantities). */
interface PendingTx {
  hash: string;
  nonce: string;
  maxFeePerGas: string;
  maxPriorityFeePerGas: string;
}

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
beforeEach(() => chain.provider.send('evm_setAutomine', [false]));
afterEach(() => chain.provider.send('evm_setAutomine', [true]));

const aBatcher = (txTimeoutMs: number) =>
  settlementBatcher(chain, deployment.network, { SETTLEMENT_TX_TIMEOUT_MS: String(txTimeoutMs) });
const aJob = () => settlementJob(chain);

/** The settler's transactions waiting in the node's mempool. */
async function pendingOfSettler(): Promise<PendingTx[]> {
  const block = await chain.provider.send('eth_getBlockByNumber', ['pending', true]);
  const settler = chain.wallet(1).address.toLowerCase();
  return (block.transactions as (PendingTx & { from: string })[]).filter((t) => t.from === settler);
}

const settledEvents = (recordId: string) =>
  f.payments.queryFilter(f.payments.filters.SessionSettled!(BigInt(recordId)));

/** At least 12.5 % more on both fees. */
function expectBumped(next: PendingTx, old: PendingTx) {
  expect(BigInt(next.maxFeePerGas) * 1000n).toBeGreaterThanOrEqual(BigInt(old.maxFeePerGas) * 1125n);
  expect(BigInt(next.maxPriorityFeePerGas) * 1000n).toBeGreaterThanOrEqual(
    BigInt(old.maxPriorityFeePerGas) * 1125n,
  );
}

it('a transaction not mined in time is sent again at its nonce with higher fees; the replacement settles once', async () => {
  const { batcher, logs } = aBatcher(1500);
  const job = aJob();
  const outcome = batcher.submit(job);
  const [first] = await eventually(pendingOfSettler, (txs) => txs.length === 1);
  // Nothing mines: after the timeout the same call goes out again, at the same nonce, paying more.
  const [second] = await eventually(
    pendingOfSettler,
    (txs) => txs.length === 1 && txs[0]!.hash !== first!.hash,
  );
  expect(second!.nonce).toBe(first!.nonce);
  expectBumped(second!, first!);
  await chain.provider.send('evm_mine', []);

  expect(await outcome).toMatchObject({ status: 'CONFIRMED', txHash: second!.hash });
  expect(await chain.provider.getTransactionReceipt(first!.hash)).toBeNull();
  expect(await settledEvents(job.recordId)).toHaveLength(1);
  expect(logs).toContainEqual(
    expect.objectContaining({
      oldHash: first!.hash,
      newHash: second!.hash,
      oldFees: expect.objectContaining({ maxFeeGwei: expect.any(Number) }),
      newFees: expect.objectContaining({ maxFeeGwei: expect.any(Number) }),
    }),
  );
});

it('a transaction left pending by an earlier process is replaced by the next one; the record is settled once', async () => {
  const job = aJob();
  // The earlier process sends and is gone (its batcher is left waiting, as a crashed one would be).
  const crashed = aBatcher(60_000).batcher.submit(job);
  crashed.catch(() => {});
  const [stuck] = await eventually(pendingOfSettler, (txs) => txs.length === 1);

  const { batcher, logs } = aBatcher(60_000);
  const outcome = batcher.submit(job);
  const [replacement] = await eventually(
    pendingOfSettler,
    (txs) => txs.length === 1 && txs[0]!.hash !== stuck!.hash,
  );
  expect(replacement!.nonce).toBe(stuck!.nonce);
  expectBumped(replacement!, stuck!);
  expect(logs).toContainEqual(expect.objectContaining({ oldHash: stuck!.hash, newHash: replacement!.hash }));
  await chain.provider.send('evm_mine', []);

  expect(await outcome).toMatchObject({ status: 'CONFIRMED', txHash: replacement!.hash });
  expect(await settledEvents(job.recordId)).toHaveLength(1);
  // To the earlier process, its nonce was taken by a transaction that is not its own.
  await expect(crashed).rejects.toThrow(/not one of ours/);
});

it('a nonce taken by a transaction that is not ours fails the batch clearly; the retry settles once', async () => {
  const { batcher } = aBatcher(60_000);
  const job = aJob();
  const escrowBefore = ((await f.payments.escrowOf(job.payer)) as bigint[])[0]!;
  const attempt = batcher.submit(job);
  attempt.catch(() => {});
  const [ours] = await eventually(pendingOfSettler, (txs) => txs.length === 1);

  // Someone holding the settler key sends something else at the same nonce, paying more.
  const settler = chain.wallet(1);
  const theirs = await settler.sendTransaction({
    to: settler.address,
    value: 0n,
    nonce: Number(ours!.nonce),
    gasLimit: 21_000n,
    maxFeePerGas: BigInt(ours!.maxFeePerGas) * 2n,
    maxPriorityFeePerGas: BigInt(ours!.maxPriorityFeePerGas) * 2n,
  });
  await chain.provider.send('evm_mine', []);
  expect((await chain.provider.getTransactionReceipt(theirs.hash))?.status).toBe(1);

  await expect(attempt).rejects.toMatchObject({
    name: 'NonceTakenError',
    message: expect.stringMatching(
      new RegExp(
        `^nonce ${Number(ours!.nonce)} of ${settler.address} was used by a transaction that is not one of ours`,
      ),
    ),
  });
  expect(await chain.provider.getTransactionReceipt(ours!.hash)).toBeNull();
  expect(await f.payments.isSessionSettled(BigInt(job.recordId))).toBe(false);

  // BullMQ retries the job: it asks the chain first, then sends again.
  await chain.provider.send('evm_setAutomine', [true]);
  expect(await batcher.submit(job)).toMatchObject({ status: 'CONFIRMED' });
  expect(await settledEvents(job.recordId)).toHaveLength(1);
  expect(((await f.payments.escrowOf(job.payer)) as bigint[])[0]).toBe(escrowBefore - 1_000_000n);
});

it('batches in flight together (SETTLEMENT_PIPELINE) take consecutive nonces and can share a block', async () => {
  const { batcher } = settlementBatcher(chain, deployment.network, {
    SETTLEMENT_BATCH_SIZE: '1',
    SETTLEMENT_PIPELINE: '2',
    SETTLEMENT_TX_TIMEOUT_MS: '20000',
  });
  const outcomes = Promise.all([batcher.submit(aJob()), batcher.submit(aJob())]);
  // Both are sent before either is mined.
  const pending = await eventually(pendingOfSettler, (txs) => txs.length === 2, 10_000);
  const [first, second] = pending.map((t) => Number(t.nonce)).sort((a, b) => a - b);
  expect(second).toBe(first! + 1);
  await chain.provider.send('evm_mine', []);
  const [a, b] = await outcomes;
  expect(a).toMatchObject({ status: 'CONFIRMED' });
  expect(b).toMatchObject({ status: 'CONFIRMED', blockNumber: (a as { blockNumber: number }).blockNumber });
}, 60_000);
