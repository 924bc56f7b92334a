/**
 * Random operations by several payers, payees, the settler, the admin and the pauser over both record
 * kinds (charging sessions and energy trades) and refunds, from a seeded PRNG (a failure prints its
 * seed and step, and replays exactly). After every step:
 *   - the contract's token balance = Σ escrow + Σ credits;
 *   - what each payer lost is exactly what was settled from it less what was refunded to it;
 *   - no payer paid beyond its limits: every record ≤ its record limit, and what one settlement
 *     transaction took from a payer ≤ what limitsOf said was spendable today just before;
 *   - credits + credits withdrawn = everything settled − refunds; no record of a kind settled twice.
 */
import { MaxUint256, ZeroHash, type JsonRpcSigner, type Log } from 'ethers';
import {
  aRecord,
  aTrade,
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
  'EscrowAccountsInsufficientFunds',
  'EscrowAccountsInvalidFee',
  'EscrowAccountsInvalidAmount',
  'PaymentLedgerRefundRecorded',
  'PaymentLedgerSessionNotSettled',
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

    const paid = new Map(payers.map((p) => [p.address, 0n]));
    const refunded = new Map(payers.map((p) => [p.address, 0n]));
    const settledIds = { SessionSettled: new Set<bigint>(), TradeSettled: new Set<bigint>() };
    const sessionsPaid: { id: bigint; payer: string; payee: string }[] = [];
    let creditsWithdrawn = 0n;
    let nextId = BigInt(seed % 1000) * 1000n;
    let nextRefund = 1n;

    /** The name of the custom error a refused operation reverted with, if any. */
    const refusal = (err: unknown) => {
      const data = (err as { data?: string }).data;
      return data
        ? (f.payments.interface.parseError(data) ?? f.stable.interface.parseError(data))?.name
        : undefined;
    };
    /** Each payer's limits and what it may still be charged today, read before a settlement. */
    const limitsNow = async () =>
      new Map(
        await Promise.all(
          payers.map(async (p) => [p.address, (await f.payments.limitsOf(p.address)) as bigint[]] as const),
        ),
      );
    const recordPayments = (logs: readonly Log[], before: Map<string, bigint[]>) => {
      const taken = new Map<string, bigint>();
      for (const e of eventsOf(f.payments.interface, logs)) {
        if (e.name !== 'SessionSettled' && e.name !== 'TradeSettled') continue;
        const id = e.args[0] as bigint;
        const payer = (e.name === 'SessionSettled' ? e.args[1] : e.args[2]) as string;
        const amount = e.args[e.name === 'SessionSettled' ? 3 : 5] as bigint;
        expect(settledIds[e.name].has(id)).toBe(false); // never twice
        settledIds[e.name].add(id);
        if (e.name === 'SessionSettled') sessionsPaid.push({ id, payer, payee: e.args[2] as string });
        paid.set(payer, paid.get(payer)! + amount);
        expect(amount <= before.get(payer)![0]!).toBe(true); // the record limit
        taken.set(payer, (taken.get(payer) ?? 0n) + amount);
      }
      for (const [payer, amount] of taken) expect(amount <= before.get(payer)![2]!).toBe(true); // the day's rest
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
        'setLimits',
        3,
        async () => {
          const p = pick(payers);
          const limit = () => (rand(4) === 0 ? 0n : USD(rand(200)));
          await mined(as(f.payments, p).setLimits(limit(), limit()));
        },
      ],
      [
        'settleSessions',
        4,
        async () => {
          const batch = Array.from({ length: rand(12) + 1 }, () =>
            aRecord(f, anId(), anAmount(30), { payer: pick(payers).address, payee: pick(payees).address }),
          );
          const before = await limitsNow();
          recordPayments((await mined(as(f.payments, f.settler).settleSessions(batch))).logs, before);
        },
      ],
      [
        'settleTrades',
        4,
        async () => {
          const batch = Array.from({ length: rand(8) + 1 }, () =>
            aTrade(f, anId(), rand(20_000), BigInt(rand(400_000)), {
              buyer: pick(payers).address,
              seller: pick(payees).address,
              feeBps: rand(6) === 0 ? 1001 : rand(300),
              shares:
                rand(3) === 0
                  ? [
                      { owner: pick(payees).address, bps: 6000 },
                      { owner: pick(payees).address, bps: 4000 },
                    ]
                  : [],
            }),
          );
          const before = await limitsNow();
          recordPayments((await mined(as(f.payments, f.settler).settleTrades(batch))).logs, before);
        },
      ],
      [
        'refund',
        2,
        async () => {
          const s = sessionsPaid.length
            ? pick(sessionsPaid)
            : { id: nextId + 1n, payer: payers[0]!.address, payee: payees[0]!.address };
          const payee = payees.find((e) => e.address === s.payee)!;
          const amount = anAmount(10);
          await mined(
            as(f.payments, payee).refundSession(
              rand(5) === 0 ? 1n : nextRefund++,
              s.id,
              s.payer,
              amount,
              ZeroHash,
            ),
          );
          refunded.set(s.payer, refunded.get(s.payer)! + amount);
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
            if (
              [
                'deposit',
                'depositWithPermit',
                'settleSessions',
                'settleTrades',
                'refund',
                'withdrawCredits',
              ].includes(name)
            )
              throw new Error(`${name} went through while paused`);
          } catch (err) {
            if (!/EnforcedPause|Insufficient|Invalid|Recorded|NotSettled/.test(String(refusal(err))))
              throw err;
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
      let totalLost = 0n;
      for (const p of payers) {
        const wallet = (await f.stable.balanceOf(p.address)) as bigint;
        const [inEscrow] = (await f.payments.escrowOf(p.address)) as bigint[];
        const lost = MINTED - wallet - inEscrow!;
        expect([log, p.address, lost]).toEqual([
          log,
          p.address,
          paid.get(p.address)! - refunded.get(p.address)!,
        ]);
        totalLost += lost;
      }
      expect([log, credits + creditsWithdrawn]).toEqual([log, totalLost]);
    }
    for (const id of settledIds.SessionSettled) expect(await f.payments.isSessionSettled(id)).toBe(true);
    for (const id of settledIds.TradeSettled) expect(await f.payments.isTradeSettled(id)).toBe(true);

    // The exploration really did things, both accepted and refused.
    const settled = settledIds.SessionSettled.size + settledIds.TradeSettled.size;
    expect([JSON.stringify([...counts]), settled > 30]).toEqual([JSON.stringify([...counts]), true]);
    for (const name of [
      'deposit',
      'withdraw',
      'setLimits',
      'settleSessions',
      'settleTrades',
      'refund',
      'withdrawCredits',
    ])
      expect([name, (counts.get(name)?.ok ?? 0) > 0]).toEqual([name, true]);
    expect([...counts.values()].some((c) => c.refused > 0)).toBe(true);
  });
});
