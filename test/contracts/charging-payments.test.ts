import { rm } from 'node:fs/promises';
import { FunctionFragment, MaxUint256, ZeroAddress, ZeroHash } from 'ethers';
import {
  aRecord,
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
  writeDeployment,
} from '../../lib/chain/contracts.js';

const suite = fixtureSuite((f) => fundWallet(f, f.payer, USD(1000)));
let chain: Chain;
let f: Fixture;
beforeAll(() => ({ chain, f } = suite));

const record = (id: number | bigint, amount: bigint, over?: Parameters<typeof aRecord>[3]) =>
  aRecord(f, id, amount, over);
const events = (receipt: { logs: readonly import('ethers').Log[] }) =>
  eventsOf(f.payments.interface, receipt.logs);
const errorOf = (work: Promise<unknown>) => revertOf(f.payments.interface, work);

/** The fixture's payer deposits `deposit` USD and authorizes `cap` USD. */
async function fund(deposit: number, cap: number) {
  if (deposit > 0) await mined(as(f.payments, f.payer).deposit(USD(deposit)));
  await mined(as(f.payments, f.payer).authorize(USD(cap)));
}

describe('deployment', () => {
  it('holds the token given at construction and grants the admin its roles, nobody the settler role but the configured settler', async () => {
    expect(await f.payments.token()).toBe(f.tokenAddress);
    expect(await f.payments.hasRole(f.roles.admin, f.admin.address)).toBe(true);
    expect(await f.payments.hasRole(f.roles.pauser, f.admin.address)).toBe(true);
    expect(await f.payments.hasRole(f.roles.settler, f.settler.address)).toBe(true);
    expect(await f.payments.hasRole(f.roles.settler, f.admin.address)).toBe(false);
    expect(await f.payments.fee()).toEqual([ZeroAddress, 0n]);
    expect(await f.payments.MAX_FEE_BPS()).toBe(1000n);
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
      expect(await payments.isSettled(1n)).toBe(false);
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
      name: 'ChargingPaymentsInvalidAmount',
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

describe('authorization and committed funds', () => {
  it('authorize emits AuthorizationChanged; raising is in force at once', async () => {
    const receipt = await mined(as(f.payments, f.payer).authorize(USD(30)));
    const now = BigInt(await chain.now());
    expect(events(receipt)).toEqual([
      { name: 'AuthorizationChanged', args: [f.payer.address, USD(30), now] },
    ]);
    expect(await f.payments.authorizationOf(f.payer.address)).toEqual([USD(30), 0n, 0n]);
  });

  it('commits min(escrow, authorization); only the rest can be withdrawn', async () => {
    await fund(100, 30);
    expect(await f.payments.escrowOf(f.payer.address)).toEqual([USD(100), USD(30), USD(70)]);
    expect(await errorOf(as(f.payments, f.payer).withdraw(USD(71)))).toEqual({
      name: 'ChargingPaymentsInsufficientFunds',
      args: [f.payer.address, USD(70), USD(71)],
    });
    const before = (await f.stable.balanceOf(f.payer.address)) as bigint;
    const receipt = await mined(as(f.payments, f.payer).withdraw(USD(70)));
    expect(events(receipt)).toEqual([{ name: 'Withdrawn', args: [f.payer.address, USD(70)] }]);
    expect(await f.stable.balanceOf(f.payer.address)).toBe(before + USD(70));
    expect(await f.payments.escrowOf(f.payer.address)).toEqual([USD(30), USD(30), 0n]);
  });

  it('refuses to withdraw committed funds, and zero', async () => {
    await fund(40, 100);
    expect(await errorOf(as(f.payments, f.payer).withdraw(USD(1)))).toEqual({
      name: 'ChargingPaymentsInsufficientFunds',
      args: [f.payer.address, 0n, USD(1)],
    });
    expect(await errorOf(as(f.payments, f.payer).withdraw(0n))).toEqual({
      name: 'ChargingPaymentsInsufficientFunds',
      args: [f.payer.address, 0n, 0n],
    });
  });

  it('lowering waits AUTHORIZATION_DELAY, so charging already done stays payable; then frees the escrow', async () => {
    await fund(100, 80);
    const receipt = await mined(as(f.payments, f.payer).authorize(USD(10)));
    const effectiveAt = BigInt((await chain.now()) + DAY);
    expect(events(receipt)).toEqual([
      { name: 'AuthorizationChanged', args: [f.payer.address, USD(10), effectiveAt] },
    ]);
    expect(await f.payments.authorizationOf(f.payer.address)).toEqual([USD(80), USD(10), effectiveAt]);
    expect((await f.payments.escrowOf(f.payer.address))[1]).toBe(USD(80));
    await mined(as(f.payments, f.settler).settle(record(1, USD(50))));

    await chain.increaseTime(DAY);
    expect(await f.payments.authorizationOf(f.payer.address)).toEqual([USD(10), 0n, 0n]);
    expect(await f.payments.escrowOf(f.payer.address)).toEqual([USD(50), USD(10), USD(40)]);
    expect(await errorOf(as(f.payments, f.settler).settle(record(2, USD(11))))).toEqual({
      name: 'ChargingPaymentsAuthorizationExceeded',
      args: [f.payer.address, USD(10), USD(11)],
    });
  });

  it('a lowered authorization never raises what is left after settlements consumed it', async () => {
    await fund(100, 80);
    await mined(as(f.payments, f.payer).authorize(USD(60)));
    await mined(as(f.payments, f.settler).settle(record(1, USD(50)))); // 30 left of the 80
    await chain.increaseTime(DAY);
    expect((await f.payments.authorizationOf(f.payer.address))[0]).toBe(USD(30));
  });

  it('refuses an authorization too large for the accounts', async () => {
    expect(await errorOf(as(f.payments, f.payer).authorize(MaxUint256))).toEqual({
      name: 'ChargingPaymentsInvalidAmount',
      args: [MaxUint256],
    });
  });
});

describe('settle', () => {
  it('charges the payer, credits payee and fee recipient, emits SessionSettled with the record hash', async () => {
    await fund(100, 100);
    await mined(f.payments.setFee(f.feeRecipient.address, 250));
    const r = record(7, USD(20));
    const receipt = await mined(as(f.payments, f.settler).settle(r));
    expect(events(receipt)).toEqual([
      {
        name: 'SessionSettled',
        args: [7n, f.payer.address, f.payee.address, USD(20), USD(0.5), r.recordHash],
      },
    ]);
    expect(await f.payments.creditsOf(f.payee.address)).toBe(USD(19.5));
    expect(await f.payments.creditsOf(f.feeRecipient.address)).toBe(USD(0.5));
    expect(await f.payments.escrowOf(f.payer.address)).toEqual([USD(80), USD(80), 0n]);
    expect(await f.payments.authorizationOf(f.payer.address)).toEqual([USD(80), 0n, 0n]);
    expect(await f.payments.isSettled(7n)).toBe(true);
    expect(await f.payments.isSettled(6n)).toBe(false);
    expect(await f.payments.isSettled(8n)).toBe(false);
  });

  it('reverts a replayed record id with ChargingPaymentsRecordAlreadySettled(recordId)', async () => {
    await fund(100, 100);
    await mined(as(f.payments, f.settler).settle(record(1, USD(5))));
    // Same id, even with other contents: refused.
    expect(
      await errorOf(as(f.payments, f.settler).settle(record(1, USD(6), { payee: f.stranger.address }))),
    ).toEqual({ name: 'ChargingPaymentsRecordAlreadySettled', args: [1n] });
    expect((await f.payments.escrowOf(f.payer.address))[0]).toBe(USD(95));
  });

  it('keeps ids that share or straddle a bitmap word apart, and handles the largest id', async () => {
    await fund(100, 100);
    for (const id of [255n, 256n, 2n ** 256n - 1n]) {
      expect(await f.payments.isSettled(id)).toBe(false);
      await mined(as(f.payments, f.settler).settle(record(id, USD(1))));
      expect(await f.payments.isSettled(id)).toBe(true);
    }
    for (const id of [0n, 254n, 257n, 2n ** 256n - 2n]) expect(await f.payments.isSettled(id)).toBe(false);
  });

  it('refuses an amount above the authorization', async () => {
    await fund(500, 100);
    expect(await errorOf(as(f.payments, f.settler).settle(record(1, USD(101))))).toEqual({
      name: 'ChargingPaymentsAuthorizationExceeded',
      args: [f.payer.address, USD(100), USD(101)],
    });
  });

  it('refuses an amount above the escrow', async () => {
    await fund(10, 100);
    expect(await errorOf(as(f.payments, f.settler).settle(record(1, USD(11))))).toEqual({
      name: 'ChargingPaymentsInsufficientEscrow',
      args: [f.payer.address, USD(10), USD(11)],
    });
  });

  it('refuses a payer who never authorized anything', async () => {
    await fund(100, 0);
    expect(await errorOf(as(f.payments, f.settler).settle(record(1, USD(1))))).toEqual({
      name: 'ChargingPaymentsAuthorizationExceeded',
      args: [f.payer.address, 0n, USD(1)],
    });
  });

  it('refuses zero amounts, zero addresses and amounts beyond 2^112 as invalid', async () => {
    await fund(100, 100);
    for (const bad of [
      record(1, 0n),
      record(1, USD(1), { payer: ZeroAddress }),
      record(1, USD(1), { payee: ZeroAddress }),
      record(1, 2n ** 112n),
    ]) {
      expect(await errorOf(as(f.payments, f.settler).settle(bad))).toEqual({
        name: 'ChargingPaymentsInvalidSettlement',
        args: [1n],
      });
    }
    expect(await f.payments.isSettled(1n)).toBe(false);
  });
});

describe('settleBatch', () => {
  it('settles every affordable record and reports the counts in BatchSettled', async () => {
    await fund(100, 100);
    const batch = [record(1, USD(10)), record(2, USD(20)), record(3, USD(30))];
    const count = await as(f.payments, f.settler).settleBatch.staticCall(batch);
    expect(count).toBe(3n);
    const receipt = await mined(as(f.payments, f.settler).settleBatch(batch));
    expect(events(receipt)).toEqual([
      ...batch.map((r) => ({
        name: 'SessionSettled',
        args: [r.recordId, f.payer.address, f.payee.address, r.amount, 0n, r.recordHash],
      })),
      { name: 'BatchSettled', args: [3n, 0n] },
    ]);
    expect(await f.payments.creditsOf(f.payee.address)).toBe(USD(60));
    expect(await f.payments.escrowOf(f.payer.address)).toEqual([USD(40), USD(40), 0n]);
  });

  it('skips replayed records (settled before, or twice in the batch) instead of reverting', async () => {
    await fund(100, 100);
    await mined(as(f.payments, f.settler).settle(record(1, USD(5))));
    const receipt = await mined(
      as(f.payments, f.settler).settleBatch([record(1, USD(5)), record(2, USD(5)), record(2, USD(5))]),
    );
    expect(events(receipt)).toEqual([
      { name: 'SettlementSkipped', args: [1n, 1n] },
      {
        name: 'SessionSettled',
        args: [2n, f.payer.address, f.payee.address, USD(5), 0n, record(2, 0n).recordHash],
      },
      { name: 'SettlementSkipped', args: [2n, 1n] },
      { name: 'BatchSettled', args: [1n, 2n] },
    ]);
    expect((await f.payments.escrowOf(f.payer.address))[0]).toBe(USD(90));
  });

  it('skips records above the authorization (2), above the escrow (3) or invalid (4); the rest go through', async () => {
    await fund(50, 100);
    await mined(f.stable.mint(f.stranger.address, USD(10)));
    await mined(as(f.stable, f.stranger).approve(f.paymentsAddress, MaxUint256));
    await mined(as(f.payments, f.stranger).deposit(USD(10)));
    const receipt = await mined(
      as(f.payments, f.settler).settleBatch([
        record(1, USD(1), { payer: f.stranger.address }), // stranger authorized nothing
        record(2, USD(60)), // more than the payer's escrow of 50
        record(3, 0n),
        record(4, USD(50)),
        record(5, USD(1)), // escrow now empty
      ]),
    );
    expect(events(receipt).map((e) => [e.name, ...e.args.slice(0, 2)])).toEqual([
      ['SettlementSkipped', 1n, 2n],
      ['SettlementSkipped', 2n, 3n],
      ['SettlementSkipped', 3n, 4n],
      ['SessionSettled', 4n, f.payer.address],
      ['SettlementSkipped', 5n, 3n],
      ['BatchSettled', 1n, 4n],
    ]);
    // Skipped records are not marked: they can be settled later once affordable.
    expect(await f.payments.isSettled(2n)).toBe(false);
    expect(await f.payments.isSettled(4n)).toBe(true);
  });

  it('consumes the authorization across records of one payer within a batch', async () => {
    await fund(100, 25);
    const receipt = await mined(
      as(f.payments, f.settler).settleBatch([record(1, USD(10)), record(2, USD(10)), record(3, USD(10))]),
    );
    expect(events(receipt).at(-2)).toEqual({ name: 'SettlementSkipped', args: [3n, 2n] });
    expect(await f.payments.authorizationOf(f.payer.address)).toEqual([USD(5), 0n, 0n]);
  });

  it('settles an empty batch as a no-op', async () => {
    const receipt = await mined(as(f.payments, f.settler).settleBatch([]));
    expect(events(receipt)).toEqual([{ name: 'BatchSettled', args: [0n, 0n] }]);
  });
});

describe('fees and payee credits', () => {
  it('takes floor(amount × bps / 10,000) for the fee recipient; the payee gets the rest to the unit', async () => {
    await fund(1000, 1000);
    await mined(f.payments.setFee(f.feeRecipient.address, 333));
    const receipt = await mined(
      as(f.payments, f.settler).settleBatch([record(1, 1n), record(2, 31n), record(3, 1_234_567n)]),
    );
    const fees = events(receipt)
      .filter((e) => e.name === 'SessionSettled')
      .map((e) => e.args[4]);
    expect(fees).toEqual([0n, 1n, 41111n]); // 31 × 333 / 10,000 = 1.03; 1,234,567 × 0.0333 = 41,111.08
    expect(await f.payments.creditsOf(f.feeRecipient.address)).toBe(41112n);
    expect(await f.payments.creditsOf(f.payee.address)).toBe(1n + 30n + 1_234_567n - 41111n);
  });

  it('caps the fee at MAX_FEE_BPS and needs a recipient for a fee', async () => {
    expect(await errorOf(f.payments.setFee(f.feeRecipient.address, 1001))).toEqual({
      name: 'ChargingPaymentsInvalidFee',
      args: [1001n],
    });
    expect(await errorOf(f.payments.setFee(ZeroAddress, 5))).toEqual({
      name: 'ChargingPaymentsInvalidFee',
      args: [5n],
    });
    const receipt = await mined(f.payments.setFee(f.feeRecipient.address, 1000));
    expect(events(receipt)).toEqual([{ name: 'FeeChanged', args: [f.feeRecipient.address, 1000n] }]);
    await mined(f.payments.setFee(ZeroAddress, 0));
    expect(await f.payments.fee()).toEqual([ZeroAddress, 0n]);
  });

  it('at MAX_FEE_BPS the platform gets exactly 10 %', async () => {
    await fund(100, 100);
    await mined(f.payments.setFee(f.feeRecipient.address, 1000));
    await mined(as(f.payments, f.settler).settle(record(1, USD(50))));
    expect(await f.payments.creditsOf(f.feeRecipient.address)).toBe(USD(5));
    expect(await f.payments.creditsOf(f.payee.address)).toBe(USD(45));
  });

  it('payees and the fee recipient withdraw their credits (CreditsWithdrawn), never more', async () => {
    await fund(100, 100);
    await mined(f.payments.setFee(f.feeRecipient.address, 100));
    await mined(as(f.payments, f.settler).settle(record(1, USD(10))));
    expect(await errorOf(as(f.payments, f.payee).withdrawCredits(USD(9.91)))).toEqual({
      name: 'ChargingPaymentsInsufficientFunds',
      args: [f.payee.address, USD(9.9), USD(9.91)],
    });
    const receipt = await mined(as(f.payments, f.payee).withdrawCredits(USD(9.9)));
    expect(events(receipt)).toEqual([{ name: 'CreditsWithdrawn', args: [f.payee.address, USD(9.9)] }]);
    await mined(as(f.payments, f.feeRecipient).withdrawCredits(USD(0.1)));
    expect(await f.stable.balanceOf(f.payee.address)).toBe(USD(9.9));
    expect(await f.stable.balanceOf(f.feeRecipient.address)).toBe(USD(0.1));
    expect(await f.stable.balanceOf(f.paymentsAddress)).toBe(USD(90));
    expect(await errorOf(as(f.payments, f.stranger).withdrawCredits(1n))).toEqual({
      name: 'ChargingPaymentsInsufficientFunds',
      args: [f.stranger.address, 0n, 1n],
    });
  });
});

describe('roles', () => {
  const denied = (account: string, role: string) => ({
    name: 'AccessControlUnauthorizedAccount',
    args: [account, role],
  });

  it('only SETTLER_ROLE settles, singly or in batches', async () => {
    await fund(10, 10);
    expect(await errorOf(as(f.payments, f.stranger).settle(record(1, USD(1))))).toEqual(
      denied(f.stranger.address, f.roles.settler),
    );
    expect(await errorOf(as(f.payments, f.admin).settleBatch([record(1, USD(1))]))).toEqual(
      denied(f.admin.address, f.roles.settler),
    );
    expect(await errorOf(as(f.payments, f.payer).settleBatch([]))).toEqual(
      denied(f.payer.address, f.roles.settler),
    );
  });

  it('only DEFAULT_ADMIN_ROLE sets the fee and grants or revokes roles', async () => {
    expect(await errorOf(as(f.payments, f.settler).setFee(f.feeRecipient.address, 10))).toEqual(
      denied(f.settler.address, f.roles.admin),
    );
    expect(await errorOf(as(f.payments, f.settler).grantRole(f.roles.settler, f.stranger.address))).toEqual(
      denied(f.settler.address, f.roles.admin),
    );
    expect(await errorOf(as(f.payments, f.stranger).revokeRole(f.roles.settler, f.settler.address))).toEqual(
      denied(f.stranger.address, f.roles.admin),
    );
    const receipt = await mined(f.payments.revokeRole(f.roles.settler, f.settler.address));
    expect(events(receipt)).toEqual([
      { name: 'RoleRevoked', args: [f.roles.settler, f.settler.address, f.admin.address] },
    ]);
    await fund(10, 10);
    expect(await errorOf(as(f.payments, f.settler).settle(record(1, USD(1))))).toEqual(
      denied(f.settler.address, f.roles.settler),
    );
  });

  it('only PAUSER_ROLE pauses and unpauses', async () => {
    expect(await errorOf(as(f.payments, f.stranger).pause())).toEqual(
      denied(f.stranger.address, f.roles.pauser),
    );
    expect(await errorOf(as(f.payments, f.settler).pause())).toEqual(
      denied(f.settler.address, f.roles.pauser),
    );
    await mined(f.payments.pause());
    expect(await errorOf(as(f.payments, f.stranger).unpause())).toEqual(
      denied(f.stranger.address, f.roles.pauser),
    );
  });

  it('gives the admin no way to move a payer’s escrow', async () => {
    await fund(100, 0);
    const functions = f.payments.interface.fragments
      .filter((x): x is FunctionFragment => x.type === 'function')
      .map((x) => x.name)
      .sort();
    // The whole ABI. Escrow leaves only through settle/settleBatch (settler, within the payer's
    // authorization) and withdraw (the payer). A new function here must be reviewed for that.
    expect(functions).toEqual(
      [
        'AUTHORIZATION_DELAY',
        'DEFAULT_ADMIN_ROLE',
        'MAX_FEE_BPS',
        'PAUSER_ROLE',
        'SETTLER_ROLE',
        'authorizationOf',
        'authorize',
        'creditsOf',
        'deposit',
        'depositWithPermit',
        'escrowOf',
        'fee',
        'getRoleAdmin',
        'grantRole',
        'hasRole',
        'isSettled',
        'pause',
        'paused',
        'renounceRole',
        'revokeRole',
        'setFee',
        'settle',
        'settleBatch',
        'supportsInterface',
        'token',
        'unpause',
        'withdraw',
        'withdrawCredits',
      ].sort(),
    );
    // Even an admin who makes itself settler can take nothing the payer has not authorized.
    await mined(f.payments.grantRole(f.roles.settler, f.admin.address));
    expect(await errorOf(f.payments.settle(record(1, USD(1), { payee: f.admin.address })))).toEqual({
      name: 'ChargingPaymentsAuthorizationExceeded',
      args: [f.payer.address, 0n, USD(1)],
    });
    expect(await errorOf(f.payments.withdraw(USD(1)))).toEqual({
      name: 'ChargingPaymentsInsufficientFunds',
      args: [f.admin.address, 0n, USD(1)],
    });
  });
});

describe('pause', () => {
  it('stops deposits and settlements, never withdrawals of uncommitted escrow or credits', async () => {
    await fund(50, 20);
    await mined(as(f.payments, f.settler).settle(record(1, USD(5))));
    const receipt = await mined(f.payments.pause());
    expect(events(receipt)).toEqual([{ name: 'Paused', args: [f.admin.address] }]);
    const paused = { name: 'EnforcedPause', args: [] };
    expect(await errorOf(as(f.payments, f.payer).deposit(USD(1)))).toEqual(paused);
    expect(
      await errorOf(as(f.payments, f.payer).depositWithPermit(USD(1), 0n, 27, ZeroHash, ZeroHash)),
    ).toEqual(paused);
    expect(await errorOf(as(f.payments, f.settler).settle(record(2, USD(1))))).toEqual(paused);
    expect(await errorOf(as(f.payments, f.settler).settleBatch([record(2, USD(1))]))).toEqual(paused);
    // A pause (an incident) must not trap anyone's money: uncommitted escrow and credits leave.
    await mined(as(f.payments, f.payer).withdraw(USD(30)));
    await mined(as(f.payments, f.payee).withdrawCredits(USD(5)));
    // Committed funds stay committed while paused.
    expect(await errorOf(as(f.payments, f.payer).withdraw(USD(1)))).toEqual({
      name: 'ChargingPaymentsInsufficientFunds',
      args: [f.payer.address, 0n, USD(1)],
    });
    await mined(as(f.payments, f.payer).authorize(0n));
    await mined(f.payments.unpause());
    await mined(as(f.payments, f.settler).settle(record(2, USD(1))));
    expect(await f.payments.isSettled(2n)).toBe(true);
  });
});
