/**
 * Random operations by several payers, payees, the settler, the admin and the pauser, from a seeded
 * PRNG (a failure prints its seed and step, and replays exactly). After every step:
 *   - the contract's token balance = Σ escrow + Σ credited payee/fee balances;
 *   - no payer has lost more than the sum of the authorization increases they made, and what they
 *     lost is exactly what was settled from them;
 *   - credits + credits withdrawn = everything settled; no record id was ever settled twice.
 */
import { MaxUint256, type JsonRpcSigner, type Log } from 'ethers';
import {
  aRecord,
  as,
  DAY,
  deployFixture,
  eventsOf,
  fundWallet,
  inProcessChain,
  mined,
  prng,
  signPermit,
  USD,
  type Chain,
  type Fixture,
} from './helpers.js';

let chain: Chain;
let f: Fixture;

beforeAll(async () => {
  chain = await inProcessChain();
  f = await deployFixture(chain);
});
afterAll(() => chain?.close());

/** Errors a random operation may legitimately run into; anything else fails the test. */
const EXPECTED = new Set([
  'ChargingPaymentsRecordAlreadySettled',
  'ChargingPaymentsAuthorizationExceeded',
  'ChargingPaymentsInsufficientEscrow',
  'ChargingPaymentsInsufficientFunds',
  'ChargingPaymentsInvalidFee',
  'ChargingPaymentsInvalidAmount',
  'ChargingPaymentsInvalidSettlement',
  'ERC20InsufficientBalance',
]);

const SEEDS = [20261122, 7, 1_000_003];
const STEPS = 200;
const MINTED = USD(1000);

describe.each(SEEDS)('invariants under random operations (seed %i)', (seed) => {
  let snapshot: string;
  beforeEach(async () => {
    snapshot = await chain.snapshot();
  });
  afterEach(async () => {
    await chain.revert(snapshot);
  });

  it(`hold after each of ${STEPS} steps`, async () => {
    const rand = prng(seed);
    const pick = <T>(xs: readonly T[]) => xs[rand(xs.length)]!;
    const [p1, p2, p3, p4, e1, e2, e3, fee1, fee2] = f.others as JsonRpcSigner[];
    const payers = [p1!, p2!, p3!, p4!];
    const payees = [e1!, e2!, e3!];
    const feeRecipients = [fee1!, fee2!];
    for (const p of payers) await fundWallet(f, p, MINTED);

    const authorized = new Map(payers.map((p) => [p.address, 0n]));
    const paid = new Map(payers.map((p) => [p.address, 0n]));
    const settledIds = new Set<bigint>();
    let creditsWithdrawn = 0n;
    let nextId = BigInt(seed % 1000) * 1000n;

    /** The name of the custom error a refused operation reverted with, if any. */
    const refusal = (err: unknown) => {
      const data = (err as { data?: string }).data;
      return data
        ? (f.payments.interface.parseError(data) ?? f.stable.interface.parseError(data))?.name
        : undefined;
    };
    const recordPayments = (logs: readonly Log[]) => {
      for (const e of eventsOf(f.payments.interface, logs)) {
        if (e.name !== 'SessionSettled') continue;
        const [id, payer, , amount] = e.args as [bigint, string, string, bigint];
        expect(settledIds.has(id)).toBe(false); // never twice
        settledIds.add(id);
        paid.set(payer, paid.get(payer)! + amount);
      }
    };
    /** A new record id most of the time, an already used one sometimes (replay attempts). */
    const anId = () => (rand(4) === 0 && nextId > 0n ? BigInt(rand(Number(nextId) + 1)) : nextId++);
    /** Mostly affordable amounts; now and then zero or odd ones. */
    const anAmount = (max: number) =>
      rand(10) === 0 ? BigInt(rand(3)) : USD(rand(max)) + BigInt(rand(1_000_000));

    const ops: [string, number, () => Promise<void>][] = [
      ['deposit', 4, async () => void (await mined(as(f.payments, pick(payers)).deposit(anAmount(150))))],
      [
        'depositWithPermit',
        1,
        async () => {
          const p = pick(payers);
          const amount = USD(rand(50) + 1);
          const deadline = BigInt((await chain.now()) + 3600);
          const sig = await signPermit(f, p, amount, deadline);
          await mined(as(f.payments, p).depositWithPermit(amount, deadline, sig.v, sig.r, sig.s));
          // The permit replaced the wallet's standing approval; the wallet app restores it.
          await mined(as(f.stable, p).approve(f.paymentsAddress, MaxUint256));
        },
      ],
      [
        'withdraw',
        3,
        async () => {
          const p = pick(payers);
          const [, , available] = (await f.payments.escrowOf(p.address)) as bigint[];
          // Sometimes exactly what is free, sometimes more (must be refused).
          const amount = rand(2) ? available! : anAmount(60);
          await mined(as(f.payments, p).withdraw(amount));
        },
      ],
      [
        'authorize',
        3,
        async () => {
          const p = pick(payers);
          const [inForce] = (await f.payments.authorizationOf(p.address)) as bigint[];
          const cap = rand(3) === 0 ? 0n : USD(rand(200));
          await mined(as(f.payments, p).authorize(cap));
          if (cap > inForce!) authorized.set(p.address, authorized.get(p.address)! + cap - inForce!);
        },
      ],
      [
        'settle',
        4,
        async () => {
          const r = aRecord(f, anId(), anAmount(30), {
            payer: pick(payers).address,
            payee: pick(payees).address,
          });
          recordPayments((await mined(as(f.payments, f.settler).settle(r))).logs);
        },
      ],
      [
        'settleBatch',
        4,
        async () => {
          const batch = Array.from({ length: rand(12) + 1 }, () =>
            aRecord(f, anId(), anAmount(30), { payer: pick(payers).address, payee: pick(payees).address }),
          );
          recordPayments((await mined(as(f.payments, f.settler).settleBatch(batch))).logs);
        },
      ],
      [
        'setFee',
        1,
        async () => {
          const bps = rand(5) === 0 ? 1001 + rand(100) : rand(1001);
          await mined(f.payments.setFee(pick(feeRecipients).address, bps));
        },
      ],
      [
        'withdrawCredits',
        2,
        async () => {
          const who = pick([...payees, ...feeRecipients]);
          const credits = (await f.payments.creditsOf(who.address)) as bigint;
          const amount = rand(3) === 0 ? credits + 1n : credits / BigInt(rand(3) + 1);
          await mined(as(f.payments, who).withdrawCredits(amount));
          creditsWithdrawn += amount;
        },
      ],
      ['time', 1, async () => chain.increaseTime(rand(2) * DAY + rand(3600))],
      [
        'pause',
        1,
        async () => {
          // Paused for one random operation, which deposits and settlements must not get through.
          await mined(f.payments.pause());
          const [name, run] = pick(weighted.filter(([n]) => n !== 'pause'));
          try {
            await run();
            if (['deposit', 'depositWithPermit', 'settle', 'settleBatch'].includes(name))
              throw new Error(`${name} went through while paused`);
          } catch (err) {
            if (!/EnforcedPause|Insufficient|Invalid|AlreadySettled/.test(String(refusal(err)))) throw err;
          }
          await mined(f.payments.unpause());
        },
      ],
    ];
    const weighted: (readonly [string, () => Promise<void>])[] = ops.flatMap(([name, weight, run]) =>
      Array.from({ length: weight }, () => [name, run] as const),
    );

    const counts = new Map<string, { ok: number; refused: number }>();
    for (let step = 0; step < STEPS; step++) {
      const [name, run] = pick(weighted);
      const count = counts.get(name) ?? { ok: 0, refused: 0 };
      counts.set(name, count);
      try {
        await run();
        count.ok++;
      } catch (err) {
        if (!EXPECTED.has(refusal(err) ?? ''))
          throw new Error(`seed ${seed}, step ${step} (${name}): ${err}`, { cause: err });
        count.refused++;
      }
      const log = `seed ${seed}, step ${step} (${name})`;

      let escrow = 0n;
      for (const p of payers) escrow += ((await f.payments.escrowOf(p.address)) as bigint[])[0]!;
      let credits = 0n;
      for (const a of [...payees, ...feeRecipients])
        credits += (await f.payments.creditsOf(a.address)) as bigint;
      expect([log, await f.stable.balanceOf(f.paymentsAddress)]).toEqual([log, escrow + credits]);
      let totalPaid = 0n;
      for (const p of payers) {
        const wallet = (await f.stable.balanceOf(p.address)) as bigint;
        const [inEscrow] = (await f.payments.escrowOf(p.address)) as bigint[];
        const lost = MINTED - wallet - inEscrow!;
        expect([log, p.address, lost]).toEqual([log, p.address, paid.get(p.address)]);
        expect(lost <= authorized.get(p.address)!).toBe(true);
        totalPaid += lost;
      }
      expect([log, credits + creditsWithdrawn]).toEqual([log, totalPaid]);
    }
    for (const id of settledIds) expect(await f.payments.isSettled(id)).toBe(true);

    // The exploration really did things, both accepted and refused.
    expect([JSON.stringify([...counts]), settledIds.size > 30]).toEqual([JSON.stringify([...counts]), true]);
    for (const name of ['deposit', 'withdraw', 'authorize', 'settle', 'settleBatch', 'withdrawCredits'])
      expect([name, (counts.get(name)?.ok ?? 0) > 0]).toEqual([name, true]);
    expect([...counts.values()].some((c) => c.refused > 0)).toBe(true);
  });
});
