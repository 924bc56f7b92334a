/**
 * The session subgraph's settlement sweeper against a real chain: a FAILED settlement the payer can
 * now pay is settled without anyone asking, and a CONFIRMED one that a reorganisation took off the
 * chain is settled again, once.
 */
import type { Contract } from 'ethers';
import { aUserWithRoles, loginAdmin, type Session } from '../support/builders.js';
import {
  deployFixture,
  linkWallet,
  startChain,
  writeTestDeployment,
  type Chain,
  type Fixture,
} from '../support/chain.js';
import { eventually } from '../support/chargers.js';
import { chargeFor, payingDriver, type PayingWorld } from '../support/paying.js';
import { gql, startTestPlatform, type TestPlatform } from '../support/platform.js';

let chain: Chain;
let f: Fixture;
let p: TestPlatform;
let operator: Session;
let deployment: Awaited<ReturnType<typeof writeTestDeployment>>;

beforeAll(async () => {
  chain = await startChain();
  f = await deployFixture(chain);
  deployment = await writeTestDeployment(f);
  p = await startTestPlatform({
    CHAIN_RPC_URL: chain.url,
    SETTLEMENT_NETWORK: deployment.network,
    SETTLEMENT_BATCH_WINDOW_MS: '100',
    SETTLEMENT_SWEEP_MS: '300',
    RATE_LIMIT_USER_PER_MINUTE: '0',
  });
  const admin = await loginAdmin(p.gatewayUrl);
  operator = await aUserWithRoles(p.gatewayUrl, admin, ['OPERATOR']);
  await linkWallet(p.gatewayUrl, operator, chain.wallet(3));
}, 120_000);
afterAll(async () => {
  await p?.stop();
  chain?.stop();
  await deployment?.remove();
});

const world = (): PayingWorld => ({ url: p.gatewayUrl, operator, f, chain, ocppPort: p.config.ports.ocpp });
const SETTLEMENT = `query($c: ID) { sessions(filter: { chargerId: $c }) { edges { node {
  settlement { status recordId txHash failureReason } } } } }`;
const settlementOf = async (chargerId: string) =>
  (await gql(p.gatewayUrl, SETTLEMENT, { c: chargerId }, { token: operator.token })).data?.sessions.edges[0]
    ?.node.settlement as
    { status: string; recordId: string; txHash: string | null; failureReason: string | null } | undefined;

it('a settlement FAILED for a too low limit is settled by itself once the payer raises it', async () => {
  const { wallet } = await payingDriver(world(), 4, 'SWEEP001', 100, 1);
  const c = await chargeFor(world(), 'SWEEP001', 10_000); // 4.00 USD against a 1.00 limit per record
  const failed = await eventually(
    () => settlementOf(c.chargerId),
    (s) => s?.status === 'FAILED',
    30_000,
  );
  expect(failed!.failureReason).toMatch(/limit per record/);
  await (await (f.payments.connect(wallet) as Contract).setLimits(100_000_000n, 100_000_000n)).wait();
  await eventually(
    () => settlementOf(c.chargerId),
    (s) => s?.status === 'CONFIRMED',
    30_000,
  );
  expect(((await f.payments.escrowOf(wallet.address)) as bigint[])[0]).toBe(96_000_000n);
}, 90_000);

it('a CONFIRMED settlement that a reorganisation took off the chain is settled again, exactly once', async () => {
  const { wallet } = await payingDriver(world(), 5, 'SWEEP002', 100, 100);
  const snapshot = (await chain.provider.send('evm_snapshot', [])) as string;
  const c = await chargeFor(world(), 'SWEEP002', 10_000);
  const first = await eventually(
    () => settlementOf(c.chargerId),
    (s) => s?.status === 'CONFIRMED',
    30_000,
  );
  expect(await f.payments.isSessionSettled(BigInt(first!.recordId))).toBe(true);
  // The chain goes back to before the settlement: the record is no longer on it.
  await chain.provider.send('evm_revert', [snapshot]);
  expect(await f.payments.isSessionSettled(BigInt(first!.recordId))).toBe(false);
  // The sweeper notices, and the worker settles it again.
  await eventually(
    async () => (await f.payments.isSessionSettled(BigInt(first!.recordId))) as boolean,
    (x) => x,
    30_000,
  );
  const again = await eventually(
    () => settlementOf(c.chargerId),
    (s) => s?.status === 'CONFIRMED',
    30_000,
  );
  const events = await f.payments.queryFilter(f.payments.filters.SessionSettled!(BigInt(first!.recordId)));
  expect(events).toHaveLength(1);
  expect(again!.txHash).toBe(events[0]!.transactionHash);
  expect(((await f.payments.escrowOf(wallet.address)) as bigint[])[0]).toBe(96_000_000n);
}, 90_000);
