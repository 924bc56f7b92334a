import { rm } from 'node:fs/promises';
import {
  FunctionFragment,
  JsonRpcSigner,
  keccak256,
  toUtf8Bytes,
  Wallet,
  ZeroAddress,
  ZeroHash,
} from 'ethers';
import {
  aRecord,
  aTrade,
  as,
  DAY,
  eventsOf,
  fundWallet,
  mined,
  revertOf,
  signPermit,
  USD,
  type Chain,
  type Fixture,
  fixtureSuite,
} from './helpers.js';
import {
  connectContracts,
  deploymentPath,
  readDeployment,
  ROLES,
  GAS_BOUND,
  settlementGasBound,
  writeDeployment,
} from '../../lib/chain/contracts.js';
import { staticEventReader } from '../../lib/chain/events.js';

const suite = fixtureSuite((f) => fundWallet(f, f.payer, USD(1000)));
let chain: Chain;
let f: Fixture;
beforeAll(() => ({ chain, f } = suite));

const record = (id: number | bigint, amount: bigint, over?: Parameters<typeof aRecord>[3]) =>
  aRecord(f, id, amount, over);
const trade = (id: number, energyWh: number, price: bigint, over?: Parameters<typeof aTrade>[4]) =>
  aTrade(f, id, energyWh, price, over);
const events = (receipt: { logs: readonly import('ethers').Log[] }) =>
  eventsOf(f.payments.interface, receipt.logs);
const errorOf = (work: Promise<unknown>) => revertOf(f.payments.interface, work);

/** The fixture's payer deposits `deposit` USD and sets limits of `perRecord` and `perDay` USD. */
async function fund(deposit: number, perRecord: number, perDay = perRecord) {
  if (deposit > 0) await mined(as(f.payments, f.payer).deposit(USD(deposit)));
  await mined(as(f.payments, f.payer).setLimits(USD(perRecord), USD(perDay)));
}
const settle = (...records: ReturnType<typeof record>[]) =>
  mined(as(f.payments, f.settler).settleSessions(records));
const named = (receipt: { logs: readonly import('ethers').Log[] }, name: string) =>
  events(receipt).filter((e) => e.name === name);
/** Seconds until the next UTC midnight on the chain's clock. */
const untilMidnight = async () => DAY - ((await chain.now()) % DAY);

describe('deployment', () => {
  it('holds the token given at construction and grants the admin its roles, nobody the settler role but the configured settler', async () => {
    expect(await f.payments.token()).toBe(f.tokenAddress);
    expect(await f.payments.hasRole(f.roles.admin, f.admin.address)).toBe(true);
    expect(await f.payments.hasRole(f.roles.pauser, f.admin.address)).toBe(true);
    expect(await f.payments.hasRole(f.roles.settler, f.settler.address)).toBe(true);
    expect(await f.payments.hasRole(f.roles.settler, f.admin.address)).toBe(false);
    expect(await f.payments.fee()).toEqual([ZeroAddress, 0n]);
    expect(await f.payments.MAX_FEE_BPS()).toBe(1000n);
    // The first settler is active from deployment (nobody had escrow before it).
    expect(await f.payments.settlerActiveFrom(f.settler.address)).toBeGreaterThan(0n);
    expect(await f.payments.settlerActiveFrom(f.settler.address)).toBeLessThanOrEqual(
      BigInt(await chain.now()),
    );
    expect(await f.payments.settlerActiveFrom(f.stranger.address)).toBe(0n);
  });
});

describe('lib/chain/contracts (what the services load)', () => {
  it('writes and reads back a deployment file, and connects ethers Contracts from it', async () => {
    const network = `test-contracts-${process.pid}`;
    const path = await writeDeployment({
      network,
      chainId: 31337,
      paymentsContract: f.paymentsAddress.toLowerCase(),
      token: f.tokenAddress,
      tokenDecimals: 6,
      deployedAt: '2026-01-01T00:00:00.000Z',
      blockNumber: 1,
    });
    try {
      expect(path).toBe(deploymentPath(network));
      const { deployment, payments, token } = await connectContracts(network, chain.provider);
      expect(deployment.paymentsContract).toBe(f.paymentsAddress); // checksummed on read
      expect(await payments.getAddress()).toBe(f.paymentsAddress);
      expect(await payments.isSessionSettled(1n)).toBe(false);
      expect(await token.decimals()).toBe(6n);
    } finally {
      await rm(deploymentPath(network), { force: true });
    }
    await expect(readDeployment(network)).rejects.toThrow(/npm run deploy -- --network/);
  });

  it('exports the role ids the contract uses', () => {
    expect(ROLES).toEqual({
      DEFAULT_ADMIN_ROLE: f.roles.admin,
      SETTLER_ROLE: f.roles.settler,
      PAUSER_ROLE: f.roles.pauser,
    });
  });
});

describe('deposits', () => {
  it('moves tokens into escrow and emits Deposited', async () => {
    const receipt = await mined(as(f.payments, f.payer).deposit(USD(50)));
    expect(events(receipt)).toEqual([{ name: 'Deposited', args: [f.payer.address, USD(50)] }]);
    expect(await f.payments.escrowOf(f.payer.address)).toEqual([USD(50), 0n, USD(50)]);
    expect(await f.stable.balanceOf(f.paymentsAddress)).toBe(USD(50));
  });

  it('refuses a zero deposit', async () => {
    expect(await errorOf(as(f.payments, f.payer).deposit(0n))).toEqual({
      name: 'EscrowAccountsInvalidAmount',
      args: [0n],
    });
  });

  it('needs an ERC-20 allowance (the token’s own error surfaces)', async () => {
    await mined(f.stable.mint(f.stranger.address, USD(5)));
    expect(await revertOf(f.stable.interface, as(f.payments, f.stranger).deposit(USD(5)))).toEqual({
      name: 'ERC20InsufficientAllowance',
      args: [f.paymentsAddress, 0n, USD(5)],
    });
  });

  it('depositWithPermit needs no prior approval (ERC-2612)', async () => {
    const holder = f.stranger;
    await mined(f.stable.mint(holder.address, USD(20)));
    const deadline = BigInt((await chain.now()) + 3600);
    const sig = await signPermit(f, holder, USD(20), deadline);
    const receipt = await mined(
      as(f.payments, holder).depositWithPermit(USD(20), deadline, sig.v, sig.r, sig.s),
    );
    expect(events(receipt)).toEqual([{ name: 'Deposited', args: [holder.address, USD(20)] }]);
    expect(await f.payments.escrowOf(holder.address)).toEqual([USD(20), 0n, USD(20)]);
    expect(await f.stable.nonces(holder.address)).toBe(1n);
  });

  it('depositWithPermit still works when someone front-ran the permit; fails without one', async () => {
    const holder = f.stranger;
    await mined(f.stable.mint(holder.address, USD(20)));
    const deadline = BigInt((await chain.now()) + 3600);
    const sig = await signPermit(f, holder, USD(20), deadline);
    // Anyone may submit a signed permit first; the deposit must not be blocked by that.
    await mined(
      as(f.stable, f.others[0]!).permit(
        holder.address,
        f.paymentsAddress,
        USD(20),
        deadline,
        sig.v,
        sig.r,
        sig.s,
      ),
    );
    await mined(as(f.payments, holder).depositWithPermit(USD(20), deadline, sig.v, sig.r, sig.s));
    expect((await f.payments.escrowOf(holder.address))[0]).toBe(USD(20));
    // A bad signature and no allowance: the transfer fails with the token's error.
    await mined(f.stable.mint(holder.address, USD(1)));
    expect(
      await revertOf(
        f.stable.interface,
        as(f.payments, holder).depositWithPermit(USD(1), deadline, sig.v, sig.r, sig.s),
      ),
    ).toEqual({ name: 'ERC20InsufficientAllowance', args: [f.paymentsAddress, 0n, USD(1)] });
  });
});

describe('limits and committed funds', () => {
  it('setLimits emits LimitsChanged; raises are in force at once', async () => {
    const receipt = await mined(as(f.payments, f.payer).setLimits(USD(30), USD(60)));
    const now = BigInt(await chain.now());
    expect(events(receipt)).toEqual([
      { name: 'LimitsChanged', args: [f.payer.address, USD(30), USD(60), now] },
    ]);
    expect(await f.payments.limitsOf(f.payer.address)).toEqual([USD(30), USD(60), 0n, 0n, 0n, 0n]);
  });

  it('commits min(escrow, daily limit); only the rest can be withdrawn, to the payer or another address', async () => {
    await fund(100, 30, 40);
    expect(await f.payments.escrowOf(f.payer.address)).toEqual([USD(100), USD(40), USD(60)]);
    expect(await errorOf(as(f.payments, f.payer).withdraw(USD(61)))).toEqual({
      name: 'EscrowAccountsInsufficientFunds',
      args: [f.payer.address, USD(60), USD(61)],
    });
    const receipt = await mined(as(f.payments, f.payer).withdrawTo(f.others[0]!.address, USD(20)));
    expect(events(receipt)).toEqual([
      { name: 'Withdrawn', args: [f.payer.address, f.others[0]!.address, USD(20)] },
    ]);
    expect(await f.stable.balanceOf(f.others[0]!.address)).toBe(USD(20));
    await mined(as(f.payments, f.payer).withdraw(USD(40)));
    expect(await f.payments.escrowOf(f.payer.address)).toEqual([USD(40), USD(40), 0n]);
    expect(await errorOf(as(f.payments, f.payer).withdrawTo(ZeroAddress, 1n))).toEqual({
      name: 'EscrowAccountsInvalidRecipient',
      args: [ZeroAddress],
    });
  });

  it('lowering waits LIMIT_DELAY (the higher limits stay in force), then frees the escrow', async () => {
    await fund(100, 50);
    const receipt = await mined(as(f.payments, f.payer).setLimits(0n, 0n));
    const from = BigInt(await chain.now()) + BigInt(DAY);
    expect(events(receipt)).toEqual([{ name: 'LimitsChanged', args: [f.payer.address, 0n, 0n, from] }]);
    expect(await f.payments.limitsOf(f.payer.address)).toEqual([USD(50), USD(50), USD(50), 0n, 0n, from]);
    // Charging done before the lowering is still payable during the delay.
    await settle(record(1, USD(10)));
    await chain.increaseTime(DAY);
    expect(await f.payments.limitsOf(f.payer.address)).toEqual([0n, 0n, 0n, 0n, 0n, 0n]);
    expect(await f.payments.escrowOf(f.payer.address)).toEqual([USD(90), 0n, USD(90)]);
    const skipped = await settle(record(2, USD(1)));
    expect(named(skipped, 'SettlementSkipped')).toEqual([{ name: 'SettlementSkipped', args: [2n, 2n] }]);
    await mined(as(f.payments, f.payer).withdraw(USD(90)));
  });

  it('a raise after a pending lowering replaces it', async () => {
    await fund(100, 50);
    await mined(as(f.payments, f.payer).setLimits(USD(5), USD(5)));
    await mined(as(f.payments, f.payer).setLimits(USD(60), USD(70)));
    await chain.increaseTime(DAY);
    expect(await f.payments.limitsOf(f.payer.address)).toEqual([USD(60), USD(70), USD(70), 0n, 0n, 0n]);
  });

  it('refuses limits too large for the accounts', async () => {
    const big = 2n ** 48n;
    expect(await errorOf(as(f.payments, f.payer).setLimits(big, 1n))).toEqual({
      name: 'EscrowAccountsInvalidAmount',
      args: [big],
    });
    expect(await errorOf(as(f.payments, f.payer).setLimits(1n, big))).toEqual({
      name: 'EscrowAccountsInvalidAmount',
      args: [big],
    });
  });
});

describe('settleSessions', () => {
  it('charges the payer, credits payee and fee recipient, emits SessionSettled with the record hash', async () => {
    await fund(100, 50);
    await mined(f.payments.setFee(f.feeRecipient.address, 250));
    const r = record(7, USD(20));
    const receipt = await settle(r);
    expect(events(receipt)).toEqual([
      {
        name: 'SessionSettled',
        args: [7n, f.payer.address, f.payee.address, USD(20), USD(0.5), r.recordHash],
      },
      { name: 'BatchSettled', args: [1n, 0n] },
    ]);
    expect(await f.payments.escrowOf(f.payer.address)).toEqual([USD(80), USD(50), USD(30)]);
    expect(await f.payments.creditsOf(f.payee.address)).toBe(USD(19.5));
    expect(await f.payments.creditsOf(f.feeRecipient.address)).toBe(USD(0.5));
    expect(await f.payments.isSessionSettled(7n)).toBe(true);
    expect(await f.payments.isTradeSettled(7n)).toBe(false);
    expect(await f.payments.areSettled(0, [6n, 7n, 8n])).toEqual([false, true, false]);
    expect(await f.payments.areSettled(1, [7n])).toEqual([false]);
    // A kind that does not exist is an error, not some other kind's answer.
    expect(await errorOf(f.payments.areSettled(4, [7n]))).toEqual({
      name: 'PaymentLedgerUnknownKind',
      args: [4n],
    });
  });

  it('skips replayed ids (before, or twice in one batch), and keeps ids that share or straddle a word apart', async () => {
    await fund(100, 50);
    await settle(record(255, 1n));
    const receipt = await settle(
      record(255, 1n),
      record(256, 1n),
      record(256, 1n),
      record(2n ** 256n - 1n, 1n),
    );
    expect(named(receipt, 'SettlementSkipped')).toEqual([
      { name: 'SettlementSkipped', args: [255n, 1n] },
      { name: 'SettlementSkipped', args: [256n, 1n] },
    ]);
    expect(named(receipt, 'BatchSettled')).toEqual([{ name: 'BatchSettled', args: [2n, 2n] }]);
    expect(await f.payments.isSessionSettled(254n)).toBe(false);
    expect(await f.payments.isSessionSettled(2n ** 256n - 1n)).toBe(true);
  });

  it('skips a record above the record limit (2), above what is left of the day (3), above the escrow (4), or invalid (5)', async () => {
    await fund(30, 20, 25);
    const receipt = await settle(
      record(1, USD(21)),
      record(2, USD(20)),
      record(3, USD(6)), // 20 + 6 > 25 today
      record(4, USD(5)),
      record(5, 0n),
      record(6, 1n, { payee: ZeroAddress }),
    );
    expect(named(receipt, 'SettlementSkipped').map((e) => e.args)).toEqual([
      [1n, 2n],
      [3n, 3n],
      [5n, 5n],
      [6n, 5n],
    ]);
    expect((await f.payments.escrowOf(f.payer.address))[0]).toBe(USD(5));
    // The escrow is what is left now: 5 USD, below the record limit and the rest of the day.
    await mined(as(f.payments, f.payer).setLimits(USD(20), USD(100)));
    const poor = await settle(record(7, USD(6)));
    expect(named(poor, 'SettlementSkipped')).toEqual([{ name: 'SettlementSkipped', args: [7n, 4n] }]);
  });

  it('starts a new allowance every UTC day', async () => {
    await fund(100, 10, 10);
    await settle(record(1, USD(10)));
    expect(named(await settle(record(2, USD(1))), 'SettlementSkipped')).toHaveLength(1);
    await chain.increaseTime(await untilMidnight());
    expect(named(await settle(record(3, USD(10))), 'SessionSettled')).toHaveLength(1);
    expect((await f.payments.limitsOf(f.payer.address))[2]).toBe(0n);
  });

  it('settles an empty batch as a no-op', async () => {
    expect(events(await settle())).toEqual([{ name: 'BatchSettled', args: [0n, 0n] }]);
  });
});

describe('settlePlanFees', () => {
  const settlePlanFees = (...r: ReturnType<typeof record>[]) =>
    mined(as(f.payments, f.settler).settlePlanFees(r));

  it('charges a plan fee like a session (limits, platform fee) under an id space and event of its own', async () => {
    await fund(100, 50, 60);
    await mined(f.payments.setFee(f.feeRecipient.address, 250));
    await settle(record(7, USD(20)));
    // The same number as a settled session is a plan fee of its own, not a replay.
    const r = record(7, USD(10));
    const receipt = await settlePlanFees(r, record(7, USD(10)), record(8, USD(40)));
    expect(events(receipt)).toEqual([
      {
        name: 'PlanFeeSettled',
        args: [7n, f.payer.address, f.payee.address, USD(10), USD(0.25), r.recordHash],
      },
      { name: 'SettlementSkipped', args: [7n, 1n] },
      // 20 + 10 + 40 > 60: the day's limit holds across sessions and plan fees.
      { name: 'SettlementSkipped', args: [8n, 3n] },
      { name: 'BatchSettled', args: [1n, 2n] },
    ]);
    expect(await f.payments.escrowOf(f.payer.address)).toEqual([USD(70), USD(60), USD(10)]);
    expect(await f.payments.creditsOf(f.payee.address)).toBe(USD(19.5 + 9.75));
    expect(await f.payments.isPlanFeeSettled(7n)).toBe(true);
    expect(await f.payments.isPlanFeeSettled(8n)).toBe(false);
    expect(await f.payments.areSettled(3, [7n, 8n])).toEqual([true, false]);
    // A plan fee's number settles no session.
    expect(await f.payments.isSessionSettled(8n)).toBe(false);
    expect(named(await settle(record(8, USD(1))), 'SessionSettled')).toHaveLength(1);
  });

  it('only the settler charges plan fees, and not while paused', async () => {
    await fund(100, 50);
    expect(await errorOf(as(f.payments, f.payer).settlePlanFees([record(1, USD(1))]))).toEqual({
      name: 'EscrowAccountsSettlerNotActive',
      args: [f.payer.address, 0n],
    });
    await mined(f.payments.pause());
    expect(await errorOf(settlePlanFees(record(1, USD(1))))).toEqual({ name: 'EnforcedPause', args: [] });
    expect(await f.payments.isPlanFeeSettled(1n)).toBe(false);
  });
});

describe('settleTrades', () => {
  const settleTrades = (...t: ReturnType<typeof trade>[]) => mined(as(f.payments, f.settler).settleTrades(t));

  it('moves ⌊energy × price / 1000⌋ from the buyer, ⌊gross × fee / 10,000⌋ to the fee recipient and the rest to the seller', async () => {
    await fund(100, 50);
    await mined(f.payments.setFee(f.feeRecipient.address, 0));
    await mined(f.payments.setFee(f.feeRecipient.address, 1));
    const t = trade(1, 1234, 250_001n, { feeBps: 150 }); // gross 308,501.234 → 308,501; fee 4,627.5 → 4,627
    const receipt = await settleTrades(t);
    expect(events(receipt)).toEqual([
      {
        name: 'TradeSettled',
        args: [1n, f.payee.address, f.payer.address, 1234n, 250_001n, 308_501n, 4_627n, t.recordHash],
      },
      { name: 'BatchSettled', args: [1n, 0n] },
    ]);
    expect((await f.payments.escrowOf(f.payer.address))[0]).toBe(USD(100) - 308_501n);
    expect(await f.payments.creditsOf(f.payee.address)).toBe(308_501n - 4_627n);
    expect(await f.payments.creditsOf(f.feeRecipient.address)).toBe(4_627n);
    expect(await f.payments.isTradeSettled(1n)).toBe(true);
    expect(await f.payments.isSessionSettled(1n)).toBe(false);
    expect(named(await settleTrades(t), 'SettlementSkipped')).toEqual([
      { name: 'SettlementSkipped', args: [1n, 1n] },
    ]);
  });

  it('credits a co-owned site’s owners by share in the same transaction, the first owner taking the remainder', async () => {
    await fund(100, 50);
    const [a, b, c] = f.others as [typeof f.payer, typeof f.payer, typeof f.payer];
    const t = trade(2, 1000, 1_000_001n, {
      shares: [
        { owner: a.address, bps: 3334 },
        { owner: b.address, bps: 3333 },
        { owner: c.address, bps: 3333 },
      ],
    });
    const receipt = await settleTrades(t);
    // 1,000,001 × 3,333 / 10,000 = 333,300.33 → 333,300 each for b and c; a gets the other 333,401.
    expect(named(receipt, 'ProceedsShared').map((e) => e.args)).toEqual([
      [2n, b.address, 333_300n],
      [2n, c.address, 333_300n],
      [2n, a.address, 333_401n],
    ]);
    expect(await f.payments.creditsOf(a.address)).toBe(333_401n);
    expect(await f.payments.creditsOf(f.payee.address)).toBe(0n);
  });

  it('skips shares that do not sum to 10,000 or name the zero address, a fee above MAX_FEE_BPS, a zero gross, and a fee without recipient', async () => {
    await fund(100, 50);
    const receipt = await settleTrades(
      trade(1, 1000, 1000n, { shares: [{ owner: f.stranger.address, bps: 9999 }] }),
      trade(2, 1000, 1000n, { shares: [{ owner: ZeroAddress, bps: 10_000 }] }),
      trade(3, 1000, 1000n, { feeBps: 1001 }),
      trade(4, 1, 999n), // ⌊0.999⌋ = 0
      trade(5, 1000, 1000n, { feeBps: 100 }), // no fee recipient yet
      trade(6, 1000, 1000n, { shares: [{ owner: f.stranger.address, bps: 10_000 }] }),
    );
    expect(named(receipt, 'SettlementSkipped').map((e) => e.args)).toEqual([
      [1n, 5n],
      [2n, 5n],
      [3n, 5n],
      [4n, 5n],
      [5n, 5n],
    ]);
    expect(await f.payments.creditsOf(f.stranger.address)).toBe(1000n);
  });

  it('draws on the same limits and escrow as charging', async () => {
    await fund(100, 10, 15);
    await settle(record(1, USD(10)));
    const receipt = await settleTrades(
      trade(1, 1000, USD(6)),
      trade(2, 1000, USD(5)),
      trade(3, 1000, USD(11)),
    );
    expect(named(receipt, 'SettlementSkipped').map((e) => e.args)).toEqual([
      [1n, 3n],
      [3n, 2n],
    ]);
    expect(await f.payments.limitsOf(f.payer.address)).toEqual([USD(10), USD(15), 0n, 0n, 0n, 0n]);
  });
});

describe('refunds', () => {
  it('an operator refunds part of a settled session from its own credits into the payer’s escrow, once per refund record', async () => {
    await fund(100, 50);
    await settle(record(9, USD(20)));
    const hash = `0x${'ab'.repeat(32)}`;
    const receipt = await mined(as(f.payments, f.payee).refundSession(1n, 9n, f.payer.address, USD(5), hash));
    expect(events(receipt)).toEqual([
      { name: 'SessionRefunded', args: [1n, 9n, f.payee.address, f.payer.address, USD(5), hash] },
    ]);
    expect(await f.payments.creditsOf(f.payee.address)).toBe(USD(15));
    expect((await f.payments.escrowOf(f.payer.address))[0]).toBe(USD(85));
    expect(await f.payments.isRefunded(1n)).toBe(true);
    expect(await errorOf(as(f.payments, f.payee).refundSession(1n, 9n, f.payer.address, 1n, hash))).toEqual({
      name: 'PaymentLedgerRefundRecorded',
      args: [1n],
    });
  });

  it('refuses a refund of a session never settled, or beyond the caller’s credits', async () => {
    await fund(100, 50);
    await settle(record(9, USD(20)));
    expect(
      await errorOf(as(f.payments, f.payee).refundSession(1n, 8n, f.payer.address, 1n, ZeroHash)),
    ).toEqual({ name: 'PaymentLedgerSessionNotSettled', args: [8n] });
    expect(
      await errorOf(as(f.payments, f.stranger).refundSession(1n, 9n, f.payer.address, 1n, ZeroHash)),
    ).toEqual({ name: 'EscrowAccountsInsufficientFunds', args: [f.stranger.address, 0n, 1n] });
  });
});

describe('fees and payee credits', () => {
  it('takes floor(amount × bps / 10,000) for the fee recipient; the payee gets the rest to the unit', async () => {
    await fund(1000, 1000);
    await mined(f.payments.setFee(f.feeRecipient.address, 333));
    const receipt = await settle(record(1, 1n), record(2, 31n), record(3, 1_234_567n));
    expect(named(receipt, 'SessionSettled').map((e) => e.args[4])).toEqual([0n, 1n, 41111n]);
    expect(await f.payments.creditsOf(f.feeRecipient.address)).toBe(41112n);
    expect(await f.payments.creditsOf(f.payee.address)).toBe(1n + 30n + 1_234_567n - 41111n);
  });

  it('caps the fee at MAX_FEE_BPS and needs a recipient for a fee', async () => {
    for (const [recipient, bps] of [
      [f.feeRecipient.address, 1001],
      [ZeroAddress, 5],
    ] as const)
      expect(await errorOf(f.payments.setFee(recipient, bps))).toEqual({
        name: 'EscrowAccountsInvalidFee',
        args: [BigInt(bps)],
      });
    const receipt = await mined(f.payments.setFee(f.feeRecipient.address, 1000));
    expect(events(receipt)).toEqual([{ name: 'FeeChanged', args: [f.feeRecipient.address, 1000n] }]);
  });

  it('payees withdraw their credits, to themselves or another address, never more', async () => {
    await fund(100, 100);
    await settle(record(1, USD(10)));
    expect(await errorOf(as(f.payments, f.payee).withdrawCredits(USD(10.01)))).toEqual({
      name: 'EscrowAccountsInsufficientFunds',
      args: [f.payee.address, USD(10), USD(10.01)],
    });
    const receipt = await mined(as(f.payments, f.payee).withdrawCreditsTo(f.others[1]!.address, USD(4)));
    expect(events(receipt)).toEqual([
      { name: 'CreditsWithdrawn', args: [f.payee.address, f.others[1]!.address, USD(4)] },
    ]);
    await mined(as(f.payments, f.payee).withdrawCredits(USD(6)));
    expect(await f.stable.balanceOf(f.others[1]!.address)).toBe(USD(4));
    expect(await f.stable.balanceOf(f.payee.address)).toBe(USD(6));
    expect(await f.stable.balanceOf(f.paymentsAddress)).toBe(USD(90));
  });
});

describe('trust model', () => {
  const denied = (account: string, role: string) => ({
    name: 'AccessControlUnauthorizedAccount',
    args: [account, role],
  });

  it('the admin who grants itself the settler role can settle nothing before SETTLER_DELAY, which outlasts LIMIT_DELAY', async () => {
    await fund(100, 50);
    expect(await f.payments.SETTLER_DELAY()).toBeGreaterThan(await f.payments.LIMIT_DELAY());
    const receipt = await mined(f.payments.grantRole(f.roles.settler, f.admin.address));
    const activeFrom = BigInt(await chain.now()) + (await f.payments.SETTLER_DELAY());
    expect(named(receipt, 'SettlerScheduled')).toEqual([
      { name: 'SettlerScheduled', args: [f.admin.address, activeFrom] },
    ]);
    const attempt = () => f.payments.settleSessions([record(1, USD(50), { payee: f.admin.address })]);
    expect(await errorOf(attempt())).toEqual({
      name: 'EscrowAccountsSettlerNotActive',
      args: [f.admin.address, activeFrom],
    });
    // The payer saw SettlerScheduled and gets out: limits to zero, in force before the settler is.
    await mined(as(f.payments, f.payer).setLimits(0n, 0n));
    await chain.increaseTime(Number(await f.payments.LIMIT_DELAY()));
    await mined(as(f.payments, f.payer).withdraw(USD(100)));
    await chain.increaseTime(DAY);
    const late = await mined(attempt());
    expect(named(late, 'SessionSettled')).toEqual([]);
    expect(await f.stable.balanceOf(f.paymentsAddress)).toBe(0n);
  });

  it('the admin role moves only in two steps with a delay (AccessControlDefaultAdminRules)', async () => {
    expect(await errorOf(f.payments.grantRole(f.roles.admin, f.stranger.address))).toEqual({
      name: 'AccessControlEnforcedDefaultAdminRules',
      args: [],
    });
    await mined(f.payments.beginDefaultAdminTransfer(f.stranger.address));
    const [, schedule] = (await f.payments.pendingDefaultAdmin()) as [string, bigint];
    expect(schedule).toBe(BigInt(await chain.now()) + 3n * BigInt(DAY));
    expect(await errorOf(as(f.payments, f.stranger).acceptDefaultAdminTransfer())).toEqual({
      name: 'AccessControlEnforcedDefaultAdminDelay',
      args: [schedule],
    });
  });

  it('a stolen settler key takes at most the record limit per record and the daily limit per UTC day', async () => {
    await fund(1000, 20, 50);
    const thief = f.others[2]!.address;
    const loot = Array.from({ length: 10 }, (_, i) => record(100 + i, USD(20), { payee: thief }));
    await settle(...loot, record(200, USD(1000), { payee: thief }));
    expect(await f.payments.creditsOf(thief)).toBe(USD(40));
    await chain.increaseTime(await untilMidnight());
    await settle(...loot.map((r, i) => ({ ...r, recordId: 300n + BigInt(i) })));
    expect(await f.payments.creditsOf(thief)).toBe(USD(80));
    // The pauser freezes what was booked: credits cannot leave while paused.
    await mined(f.payments.pause());
    expect(await errorOf(as(f.payments, f.others[2]!).withdrawCredits(USD(80)))).toEqual({
      name: 'EnforcedPause',
      args: [],
    });
    // And revoking the key stops it for good.
    await mined(f.payments.unpause());
    await mined(f.payments.revokeRole(f.roles.settler, f.settler.address));
    expect(await errorOf(settle(record(400, 1n)))).toEqual({
      name: 'EscrowAccountsSettlerNotActive',
      args: [f.settler.address, 0n],
    });
  });

  it('only the admin sets the fee and grants roles; only the pauser pauses; strangers settle nothing', async () => {
    expect(await errorOf(as(f.payments, f.settler).setFee(f.feeRecipient.address, 10))).toEqual(
      denied(f.settler.address, f.roles.admin),
    );
    expect(await errorOf(as(f.payments, f.settler).grantRole(f.roles.settler, f.stranger.address))).toEqual(
      denied(f.settler.address, f.roles.admin),
    );
    expect(await errorOf(as(f.payments, f.stranger).pause())).toEqual(
      denied(f.stranger.address, f.roles.pauser),
    );
    expect(await errorOf(as(f.payments, f.stranger).settleTrades([]))).toEqual({
      name: 'EscrowAccountsSettlerNotActive',
      args: [f.stranger.address, 0n],
    });
  });

  it('pause stops deposits, settlements, refunds and credit withdrawals; payers still get their free escrow out', async () => {
    await fund(50, 20);
    await settle(record(1, USD(5)));
    await mined(f.payments.pause());
    const paused = { name: 'EnforcedPause', args: [] };
    expect(await errorOf(as(f.payments, f.payer).deposit(USD(1)))).toEqual(paused);
    expect(await errorOf(settle(record(2, USD(1))))).toEqual(paused);
    expect(await errorOf(as(f.payments, f.settler).settleTrades([trade(1, 1000, 1000n)]))).toEqual(paused);
    expect(await errorOf(as(f.payments, f.payee).withdrawCredits(USD(1)))).toEqual(paused);
    expect(await errorOf(as(f.payments, f.payee).withdrawCreditsTo(f.stranger.address, USD(1)))).toEqual(
      paused,
    );
    expect(
      await errorOf(as(f.payments, f.payee).refundSession(1n, 1n, f.payer.address, 1n, ZeroHash)),
    ).toEqual(paused);
    await mined(as(f.payments, f.payer).withdraw(USD(25)));
    await mined(as(f.payments, f.payer).setLimits(0n, 0n));
    await mined(f.payments.unpause());
    await mined(as(f.payments, f.payee).withdrawCredits(USD(5)));
  });

  it('has no function that moves a payer’s escrow but settlement (within limits) and withdrawal (by the payer)', async () => {
    const functions = f.payments.interface.fragments
      .filter((x): x is FunctionFragment => x.type === 'function')
      .map((x) => x.name)
      .sort();
    // The whole ABI: a new function here must be reviewed for that.
    expect(functions).toEqual(
      [
        'DEFAULT_ADMIN_ROLE',
        'LIMIT_DELAY',
        'MAX_FEE_BPS',
        'MAX_TOKEN_DECIMALS',
        'PAUSER_ROLE',
        'SETTLER_DELAY',
        'SETTLER_ROLE',
        'acceptDefaultAdminTransfer',
        'anchorReadings',
        'areSettled',
        'beginDefaultAdminTransfer',
        'cancelDefaultAdminTransfer',
        'changeDefaultAdminDelay',
        'creditsOf',
        'defaultAdmin',
        'defaultAdminDelay',
        'defaultAdminDelayIncreaseWait',
        'deposit',
        'depositWithPermit',
        'escrowOf',
        'fee',
        'getRoleAdmin',
        'grantRole',
        'hasRole',
        'isPlanFeeSettled',
        'isRefunded',
        'isSessionSettled',
        'isTradeSettled',
        'limitsOf',
        'owner',
        'pause',
        'paused',
        'pendingDefaultAdmin',
        'pendingDefaultAdminDelay',
        'readingsRootOf',
        'refundSession',
        'renounceRole',
        'revokeRole',
        'rollbackDefaultAdminDelay',
        'setFee',
        'setLimits',
        'settlePlanFees',
        'settleSessions',
        'settleTrades',
        'settlerActiveFrom',
        'supportsInterface',
        'token',
        'unpause',
        'withdraw',
        'withdrawCredits',
        'withdrawCreditsTo',
        'withdrawTo',
      ].sort(),
    );
  });
});

describe('meter readings anchors', () => {
  const community = `0x${'00'.repeat(16)}${'ab'.repeat(16)}`;
  const root = keccak256(toUtf8Bytes('readings of one interval'));

  it('the settler anchors an interval’s root once (ReadingsAnchored); the same root again does nothing', async () => {
    const receipt = await mined(
      as(f.payments, f.settler).anchorReadings(community, 1_764_754_200n, root, 12),
    );
    expect(events(receipt)).toEqual([
      { name: 'ReadingsAnchored', args: [community, 1_764_754_200n, root, 12n] },
    ]);
    // Within the limit the settlement worker gives the call.
    expect(receipt.gasUsed).toBeLessThanOrEqual(BigInt(GAS_BOUND.anchor));
    expect(await f.payments.readingsRootOf(community, 1_764_754_200n)).toBe(root);
    expect(await f.payments.readingsRootOf(community, 1_764_754_260n)).toBe(ZeroHash);
    expect(
      events(await mined(as(f.payments, f.settler).anchorReadings(community, 1_764_754_200n, root, 12))),
    ).toEqual([]);
  });

  it('refuses another root for an anchored interval, a zero root, anyone but the settler, and while paused', async () => {
    await mined(as(f.payments, f.settler).anchorReadings(community, 60n, root, 1));
    expect(
      await errorOf(as(f.payments, f.settler).anchorReadings(community, 60n, keccak256('0x01'), 1)),
    ).toEqual({
      name: 'PaymentLedgerReadingsAnchored',
      args: [community, 60n, root],
    });
    expect(await errorOf(as(f.payments, f.settler).anchorReadings(community, 120n, ZeroHash, 0))).toEqual({
      name: 'PaymentLedgerEmptyRoot',
      args: [],
    });
    expect((await errorOf(as(f.payments, f.stranger).anchorReadings(community, 120n, root, 1))).name).toBe(
      'EscrowAccountsSettlerNotActive',
    );
    await mined(f.payments.pause());
    expect((await errorOf(as(f.payments, f.settler).anchorReadings(community, 120n, root, 1))).name).toBe(
      'EnforcedPause',
    );
  });
});

describe('the settlement worker’s gas bound (lib/chain/contracts.ts settlementGasBound)', () => {
  /** `n` payers of their own (impersonated addresses), each with 100 USD in escrow and limits of 100 USD. */
  async function payers(n: number) {
    const out = [];
    for (let i = 0; i < n; i++) {
      const address = Wallet.createRandom().address;
      await chain.provider.send('hardhat_setBalance', [address, '0xde0b6b3a7640000']);
      await chain.provider.send('hardhat_impersonateAccount', [address]);
      const signer = new JsonRpcSigner(chain.provider, address);
      await fundWallet(f, signer, USD(100));
      await mined(as(f.payments, signer).deposit(USD(100)));
      await mined(as(f.payments, signer).setLimits(USD(100), USD(100)));
      out.push(address);
    }
    return out;
  }
  const fresh = () => Wallet.createRandom().address;

  async function gasOf(kind: 'session' | 'trade', records: Parameters<typeof settlementGasBound>[1]) {
    const send = kind === 'session' ? 'settleSessions' : 'settleTrades';
    const receipt = await mined(as(f.payments, f.settler)[send](records));
    expect(named(receipt, 'SettlementSkipped')).toEqual([]);
    return { used: receipt.gasUsed as bigint, bound: settlementGasBound(kind, records), receipt };
  }

  it('holds for an ordinary batch (50 payers, 5 payees already credited) and is not loose by half', async () => {
    await mined(f.payments.setFee(f.feeRecipient.address, 100));
    const from = await payers(50);
    const payees = Array.from({ length: 5 }, fresh);
    await gasOf(
      'session',
      payees.map((payee, i) => record(1 + i, 1000n, { payer: from[i]!, payee })),
    );
    const { used, bound } = await gasOf(
      'session',
      from.map((payer, i) => record(100 + i, 1000n, { payer, payee: payees[i % 5]! })),
    );
    expect(used).toBeLessThanOrEqual(bound);
    expect(Number(bound)).toBeLessThan(Number(used) * 1.5);
  });

  it('holds for the worst batches: every payee, seller and co-owner new, every record id in a bitmap word of its own', async () => {
    await mined(f.payments.setFee(f.feeRecipient.address, 100));
    const from = await payers(40);
    const worst = await gasOf(
      'session',
      from.map((payer, i) => record(256 * (i + 1), 1000n, { payer, payee: fresh() })),
    );
    expect(worst.used).toBeLessThanOrEqual(worst.bound);
    const trades = await gasOf(
      'trade',
      from.map((buyer, i) =>
        trade(256 * (i + 1), 1000, 100_000n, {
          buyer,
          seller: fresh(),
          feeBps: 100,
          shares:
            i % 2
              ? [
                  { owner: fresh(), bps: 5000 },
                  { owner: fresh(), bps: 3000 },
                  { owner: fresh(), bps: 2000 },
                ]
              : [],
        }),
      ),
    );
    expect(trades.used).toBeLessThanOrEqual(trades.bound);
    // The worker reads these receipts' events from their words (lib/chain/events.ts), as
    // ethers' decoder reads them.
    const read = staticEventReader(f.payments.interface, f.paymentsAddress, [
      'SessionSettled',
      'TradeSettled',
      'SettlementSkipped',
    ]);
    for (const receipt of [worst.receipt, trades.receipt]) {
      const expected = events(receipt).filter((e) =>
        ['SessionSettled', 'TradeSettled', 'SettlementSkipped'].includes(e.name),
      );
      expect(expected.length).toBe(40);
      expect(receipt.logs.map(read).filter((e: unknown) => e)).toEqual(expected);
    }
    const single = await gasOf('session', [record(5, 1000n, { payer: from[0]!, payee: fresh() })]);
    expect(single.used).toBeLessThanOrEqual(single.bound);
  });
});
