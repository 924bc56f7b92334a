/**
 * Subscription plans end to end, on a real chain with real chargers over OCPP 1.6: an operator's
 * plan, a driver who subscribes (the first month's fee paid on chain as a PlanFee record), sessions
 * priced with the plan (discount per kWh, free minutes shared by the period's sessions), renewal,
 * cancellation, an unpaid renewal that ends the subscription and gives no discount, and the auditor's
 * tool matching every plan fee with its PlanFeeSettled event.
 */
import pg from 'pg';
import { TypedDataEncoder } from 'ethers';
import { aUserWithRoles, login, loginAdmin, registerUser, type Session } from '../support/builders.js';
import {
  deployFixture,
  linkWallet,
  mined,
  startChain,
  writeTestDeployment,
  type Chain,
  type Fixture,
} from '../support/chain.js';
import { connectCharger, eventually, registeredCharger } from '../support/chargers.js';
import { codeOf, gql, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { payingDriver, type PayingWorld } from '../support/paying.js';
import { runAuditCli } from '../support/audit.js';
import { invoicePdfText } from '../support/pdf.js';

const USD = (n: number) => BigInt(Math.round(n * 1e6));

let chain: Chain;
let f: Fixture;
let p: TestPlatform;
let url: string;
let db: pg.Client;
let operator: Session;
let admin: Session;
let deployment: Awaited<ReturnType<typeof writeTestDeployment>>;
let planId: string;
/** The driver of the subscription that renewed and was cancelled (its fees: the month's invoice). */
let subscriber: Session;
/** A charger of the operator at 0.40 USD/kWh and 0.02 USD/min. */
let charger: { chargerId: string; identity: string; password: string; stationId: string };

const world = (): PayingWorld => ({ url, operator, f, chain, ocppPort: p.config.ports.ocpp });

const SUBSCRIPTION = `id status startedAt periodStart periodEnd cancelAtPeriodEnd endedAt endReason
  plan { id name } charges { id periodStart periodEnd amount currency
  settlement { status recordId recordHash payer payee amount fee txHash failureReason } }`;

const mySubscriptions = (driver: Session) =>
  gql(url, `{ planSubscriptions { ${SUBSCRIPTION} } }`, {}, { token: driver.token });

/** subscribeToPlan as `who`, selecting `fields`. */
const subscribe = (who: Session, plan: string, fields = 'id') =>
  gql(
    url,
    `mutation($p: ID!) { subscribeToPlan(planId: $p) { ${fields} } }`,
    { p: plan },
    { token: who.token },
  );

/** The error code `who` gets for `query` (its variables `vars`). */
const codeFor = async (who: Session, query: string, vars: Record<string, unknown> = {}) =>
  codeOf(await gql(url, query, vars, { token: who.token }));

/** Waits until the driver's newest subscription's newest charge has `status`; returns the subscription. */
async function chargeSettled(driver: Session, status = 'CONFIRMED') {
  const r = await eventually(
    () => mySubscriptions(driver),
    (x: any) => x.data?.planSubscriptions[0]?.charges[0]?.settlement.status === status,
    30_000,
  );
  return r.data!.planSubscriptions[0];
}

/** Makes the subscription's period end a second ago and waits for the billing pass to act on it. */
async function periodOver(subscriptionId: string) {
  const { rows } = await db.query(
    // Never before the period's start (a test subscribes a moment before).
    `update session.plan_subscription
        set period_end = greatest(now() - interval '1 second', period_start + interval '1 millisecond')
      where id = $1 returning period_end`,
    [subscriptionId],
  );
  const endedAt = rows[0].period_end as Date;
  await eventually(
    () =>
      db.query('select period_start, status from session.plan_subscription where id = $1', [subscriptionId]),
    (x) => x.rows[0].status === 'ENDED' || x.rows[0].period_start.getTime() === endedAt.getTime(),
    15_000,
  );
}

/**
 * One session on EVSE 2 (22 kW: a hold of 4.40 USD) of `c` from `card`: `minutes` long, `wh`
 * delivered, stopped now; read back as the charger's operator (`token`) sees it once completed.
 */
async function charge(c: typeof charger, card: string, wh: number, minutes: number, token = operator.token) {
  const cp = await connectCharger(p.config.ports.ocpp, c.identity, c.password, 'ocpp1.6');
  const start = (await cp.call('StartTransaction', {
    connectorId: 2,
    idTag: card,
    meterStart: 0,
    timestamp: new Date(Date.now() - minutes * 60_000).toISOString(),
  })) as any;
  expect(start.idTagInfo.status).toBe('Accepted');
  const session = await eventually(
    () =>
      gql(
        url,
        'query($c: ID) { sessions(filter: { chargerId: $c }) { edges { node { id transactionId } } } }',
        { c: c.chargerId },
        { token },
      ),
    (x: any) => x.data?.sessions.edges.some((e: any) => e.node.transactionId === String(start.transactionId)),
  );
  const id = session.data!.sessions.edges.find(
    (e: any) => e.node.transactionId === String(start.transactionId),
  ).node.id as string;
  // The meter at `wh` now, while the session runs: its cost so far is what the stop will price (the
  // plan's benefit included), to the cent.
  await cp.call('MeterValues', {
    connectorId: 2,
    transactionId: start.transactionId,
    meterValue: [
      {
        timestamp: new Date().toISOString(),
        sampledValue: [{ value: String(wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }],
      },
    ],
  });
  const live = await eventually(
    () => gql(url, 'query($id: ID!) { session(id: $id) { status energyWh costSoFar } }', { id }, { token }),
    (x: any) => x.data?.session.energyWh === wh,
  );
  expect(live.data!.session.status).toBe('ACTIVE');
  await cp.call('StopTransaction', {
    transactionId: start.transactionId,
    meterStop: wh,
    timestamp: new Date().toISOString(),
  });
  await cp.close();
  const done = await eventually(
    () =>
      gql(
        url,
        `query($id: ID!) { session(id: $id) { id status cost costBreakdown { energy time planDiscount total }
          receipt { total lines { kind description quantity unitPrice amount } }
          settlement { status recordId } } }`,
        { id },
        { token },
      ),
    (x: any) => x.data?.session.status === 'COMPLETED',
  );
  return { ...done.data!.session, liveCost: live.data!.session.costSoFar as string };
}

const lines = (s: any) => s.receipt.lines.map((l: any) => [l.kind, l.quantity, l.unitPrice, l.amount]);

beforeAll(async () => {
  chain = await startChain();
  f = await deployFixture(chain);
  deployment = await writeTestDeployment(f);
  p = await startTestPlatform({
    CHAIN_RPC_URL: chain.url,
    SETTLEMENT_NETWORK: deployment.network,
    SETTLEMENT_BATCH_WINDOW_MS: '100',
    PLAN_BILLING_POLL_MS: '200',
    RATE_LIMIT_USER_PER_MINUTE: '0',
  });
  url = p.gatewayUrl;
  db = new pg.Client({ connectionString: p.env.DATABASE_URL });
  await db.connect();
  admin = await loginAdmin(url);
  operator = await aUserWithRoles(url, admin, ['OPERATOR']);
  await linkWallet(url, operator, chain.wallet(3));
  // A platform fee of 2.5 %, so that plan fees show theirs.
  await mined(f.payments.setFee(chain.wallet(4).address, 250));
  charger = await registeredCharger(url, operator);
  await gql(
    url,
    'mutation($i: SetTariffInput!) { setTariff(input: $i) { id } }',
    {
      i: {
        stationId: charger.stationId,
        name: 'Standard',
        currency: 'USD',
        pricePerKwh: '0.40',
        pricePerMinute: '0.02',
      },
    },
    { token: operator.token },
  );
  const plan = await gql(
    url,
    `mutation { createPlan(input: { name: "Plus", description: "0.10 off every kWh and 30 free minutes a month",
      currency: "USD", monthlyFee: "9.90", energyDiscountPerKwh: "0.10", freeMinutesPerMonth: 30 }) {
      id name currency monthlyFee energyDiscountPerKwh freeMinutesPerMonth retiredAt } }`,
    {},
    { token: operator.token },
  );
  expect(plan.data!.createPlan).toMatchObject({
    name: 'Plus',
    currency: 'USD',
    monthlyFee: '9.90',
    energyDiscountPerKwh: '0.10',
    freeMinutesPerMonth: 30,
    retiredAt: null,
  });
  planId = plan.data!.createPlan.id;
}, 120_000);

afterAll(async () => {
  await db?.end();
  await p?.stop();
  chain?.stop();
  await deployment?.remove();
});

it('refuses plans without a benefit, outside the settlement currency, or with a fee of nothing, with BAD_USER_INPUT', async () => {
  const create = (input: string) =>
    gql(url, `mutation { createPlan(input: { name: "X", ${input} }) { id } }`, {}, { token: operator.token });
  for (const bad of [
    'currency: "USD", monthlyFee: "5.00"',
    'currency: "EUR", monthlyFee: "5.00", freeMinutesPerMonth: 10',
    'currency: "USD", monthlyFee: "0", freeMinutesPerMonth: 10',
    'currency: "USD", monthlyFee: "5.001", freeMinutesPerMonth: 10',
    'currency: "USD", monthlyFee: "5.00", freeMinutesPerMonth: -1',
  ])
    expect([bad, codeOf(await create(bad))]).toEqual([bad, 'BAD_USER_INPUT']);
  const driver = await registerUser(url);
  expect(
    await codeFor(
      driver,
      'mutation { createPlan(input: { name: "X", currency: "USD", monthlyFee: "5.00", freeMinutesPerMonth: 10 }) { id } }',
      {},
    ),
  ).toBe('FORBIDDEN');
});

it('a subscription pays its month on chain as a PlanFee record; sessions get the discount and share the free minutes; it renews, and ends when cancelled', async () => {
  const { driver, wallet } = await payingDriver(world(), 2, 'PLANCARD1', 100, 50);
  subscriber = driver;
  const offered = await gql(
    url,
    'query($o: ID!) { plans(operatorId: $o) { id name } }',
    { o: operator.userId },
    { token: driver.token },
  );
  expect(offered.data!.plans).toEqual([{ id: planId, name: 'Plus' }]);

  const sub = await subscribe(driver, planId, SUBSCRIPTION);
  expect(sub.data!.subscribeToPlan).toMatchObject({ status: 'ACTIVE', cancelAtPeriodEnd: false });
  const subscriptionId = sub.data!.subscribeToPlan.id as string;
  const first = (await chargeSettled(driver)).charges[0];
  expect(first).toMatchObject({
    amount: '9.90',
    currency: 'USD',
    settlement: {
      status: 'CONFIRMED',
      payer: wallet.address,
      payee: chain.wallet(3).address,
      amount: '9.90',
      fee: '0.2475',
    },
  });
  // A month from now, to the millisecond (the day of the month is at most 28 when this runs, or clamped).
  const from = new Date(first.periodStart);
  const lastDay = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + 2, 0)).getUTCDate();
  expect(first.periodEnd).toBe(
    new Date(
      Date.UTC(
        from.getUTCFullYear(),
        from.getUTCMonth() + 1,
        Math.min(from.getUTCDate(), lastDay),
        from.getUTCHours(),
        from.getUTCMinutes(),
        from.getUTCSeconds(),
        from.getUTCMilliseconds(),
      ),
    ).toISOString(),
  );
  // The chain: the payer's escrow paid it, the operator got it less the platform fee; the event's
  // hash is the record's, recomputed here by ethers from the proof the driver reads.
  expect((await f.payments.escrowOf(wallet.address))[0]).toBe(USD(90.1));
  expect(await f.payments.creditsOf(chain.wallet(3).address)).toBe(USD(9.6525));
  const [event] = (await f.payments.queryFilter(
    f.payments.filters.PlanFeeSettled!(BigInt(first.settlement.recordId)),
  )) as any[];
  expect(event.transactionHash).toBe(first.settlement.txHash);
  const proof = (
    await gql(
      url,
      'query($r: ID!) { planFeeProof(recordId: $r) { recordId chargeId status typedData recordHash txHash logIndex confirmations } }',
      { r: first.settlement.recordId },
      { token: driver.token },
    )
  ).data!.planFeeProof;
  const typed = JSON.parse(proof.typedData);
  expect(typed.primaryType).toBe('PlanFee');
  expect(typed.message).toMatchObject({
    chargeId: first.id,
    subscriptionId,
    planId,
    payer: wallet.address,
    payee: chain.wallet(3).address,
    amount: String(USD(9.9)),
    currency: 'USD',
    periodStart: String(Math.floor(Date.parse(first.periodStart) / 1000)),
    periodEnd: String(Math.floor(Date.parse(first.periodEnd) / 1000)),
  });
  const { EIP712Domain: _, ...types } = typed.types;
  expect(event.args[5]).toBe(TypedDataEncoder.hash(typed.domain, types, typed.message));
  expect(proof).toMatchObject({ status: 'CONFIRMED', recordHash: event.args[5], logIndex: event.index });
  // Not a stranger's business; one subscription per operator.
  const stranger = await registerUser(url);
  expect(
    await codeFor(stranger, 'query($r: ID!) { planFeeProof(recordId: $r) { recordHash } }', {
      r: first.settlement.recordId,
    }),
  ).toBe('NOT_FOUND');
  expect(codeOf(await subscribe(driver, planId))).toBe('CONFLICT');

  // 10 kWh in 60 min: list 4.00 + 1.20; the plan takes 10 × 0.10 = 1.00 and 30 free minutes (0.60).
  const s1 = await charge(charger, 'PLANCARD1', 10_000, 60);
  expect(s1.cost).toBe('3.60');
  // While it ran, its cost so far had the plan in it too (not the list price, 5.20).
  expect(s1.liveCost).toBe('3.60');
  expect(s1.costBreakdown).toEqual({ energy: '3.00', time: '0.60', planDiscount: '1.60', total: '3.60' });
  expect(lines(s1)).toEqual([
    ['ENERGY', '10.000', '0.40', '4.00'],
    ['TIME', expect.stringMatching(/^60\.0\d$/), '0.02', '1.20'],
    ['PLAN_DISCOUNT', '10.000', '-0.10', '-1.00'],
    ['PLAN_DISCOUNT', '30.00', '-0.02', '-0.60'],
  ]);
  expect(s1.receipt.lines[2].description).toBe('Plan Plus: discount per kWh');
  // The period's free minutes are spent: the next session gets the discount per kWh only.
  const s2 = await charge(charger, 'PLANCARD1', 5_000, 30);
  expect(s2.costBreakdown).toEqual({ energy: '1.50', time: '0.60', planDiscount: '0.50', total: '2.10' });
  expect(s2.liveCost).toBe('2.10');
  // The session's ledger record carries what was paid: its lines after the discount, adding up.
  const settled = await eventually(
    () =>
      gql(
        url,
        'query($id: ID!) { session(id: $id) { settlement { status recordId } } }',
        { id: s1.id },
        { token: driver.token },
      ),
    (x: any) => x.data?.session.settlement?.status === 'CONFIRMED',
    30_000,
  );
  const record = JSON.parse(
    (
      await gql(
        url,
        'query($r: ID!) { settlementProof(recordId: $r) { typedData } }',
        { r: settled.data!.session.settlement.recordId },
        { token: driver.token },
      )
    ).data!.settlementProof.typedData,
  ).message;
  expect(record).toMatchObject({ amount: '3600000', energyCost: '3000000', timeCost: '600000' });

  // At the operator's other station and at another operator's, the plan prices what it should.
  const other = await aUserWithRoles(url, admin, ['OPERATOR']);
  const elsewhere = await registeredCharger(url, other);
  await gql(
    url,
    'mutation($i: SetTariffInput!) { setTariff(input: $i) { id } }',
    { i: { stationId: elsewhere.stationId, name: 'T', currency: 'USD', pricePerKwh: '0.40' } },
    { token: other.token },
  );
  const s3 = await charge(elsewhere, 'PLANCARD1', 10_000, 60, other.token);
  expect(s3.costBreakdown).toMatchObject({ energy: '4.00', planDiscount: '0.00', total: '4.00' });
  expect(lines(s3).map((l: string[]) => l[0])).toEqual(['ENERGY']);

  await eventually(
    () =>
      gql(
        url,
        'query($id: ID!) { session(id: $id) { settlement { status } } }',
        { id: s2.id },
        { token: driver.token },
      ),
    (x: any) => x.data?.session.settlement?.status === 'CONFIRMED',
    30_000,
  );
  // The month is over: the next period begins, its fee is numbered and paid, the free minutes are back.
  await periodOver(subscriptionId);
  const renewed = await chargeSettled(driver);
  expect(renewed.charges).toHaveLength(2);
  expect(renewed.charges[0].settlement.recordId).not.toBe(first.settlement.recordId);
  expect((await f.payments.escrowOf(wallet.address))[0]).toBe(USD(90.1 - 3.6 - 2.1 - 9.9));
  const s4 = await charge(charger, 'PLANCARD1', 1_000, 10);
  expect(s4.costBreakdown).toEqual({ energy: '0.30', time: '0.00', planDiscount: '0.30', total: '0.30' });

  // Cancelled: it runs to the end of the paid period, then ends without another charge.
  const cancelled = await gql(
    url,
    'mutation($s: ID!) { cancelPlanSubscription(subscriptionId: $s) { status cancelAtPeriodEnd } }',
    { s: subscriptionId },
    { token: driver.token },
  );
  expect(cancelled.data!.cancelPlanSubscription).toEqual({ status: 'ACTIVE', cancelAtPeriodEnd: true });
  expect(
    await codeFor(stranger, 'mutation($s: ID!) { cancelPlanSubscription(subscriptionId: $s) { id } }', {
      s: subscriptionId,
    }),
  ).toBe('NOT_FOUND');
  await periodOver(subscriptionId);
  const ended = (await mySubscriptions(driver)).data!.planSubscriptions[0];
  expect(ended).toMatchObject({ status: 'ENDED', endReason: 'CANCELLED' });
  expect(ended.charges).toHaveLength(2);
  const after = await charge(charger, 'PLANCARD1', 1_000, 10);
  expect(after.costBreakdown).toMatchObject({ planDiscount: '0.00', total: '0.60' });
  // Its subscriber may subscribe again, and the operator sees its plan's subscriptions.
  const subscribers = await gql(
    url,
    'query($p: ID!) { planSubscriptions(planId: $p) { id status } }',
    { p: planId },
    { token: operator.token },
  );
  expect(subscribers.data!.planSubscriptions).toContainEqual({ id: subscriptionId, status: 'ENDED' });
  expect(
    await codeFor(driver, 'query($p: ID!) { planSubscriptions(planId: $p) { id } }', { p: planId }),
  ).toBe('FORBIDDEN');
}, 180_000);

it('an escrow that cannot pay is refused at subscription; a renewal that cannot be paid gives no discount and ends the subscription UNPAID', async () => {
  // 5 USD a record at most: a 9.90 fee cannot be paid.
  const { driver: poor } = await payingDriver(world(), 5, 'PLANCARD2', 100, 5);
  expect(codeOf(await subscribe(poor, planId))).toBe('CONFLICT');
  expect((await mySubscriptions(poor)).data!.planSubscriptions).toEqual([]);

  // 15 USD a day at most: the first month fits, a second one the same day does not.
  const { driver, wallet } = await payingDriver(world(), 6, 'PLANCARD3', 100, 15);
  const sub = await subscribe(driver, planId);
  const subscriptionId = sub.data!.subscribeToPlan.id as string;
  await chargeSettled(driver);
  await periodOver(subscriptionId);
  const failed = (await chargeSettled(driver, 'FAILED')).charges[0];
  expect(failed.settlement.failureReason).toBe('The amount is above what is left of the payer’s daily limit');
  expect((await f.payments.escrowOf(wallet.address))[0]).toBe(USD(90.1));
  // The period's fee is unpaid: no discount, however long the subscription still shows ACTIVE.
  const s = await charge(charger, 'PLANCARD3', 2_000, 10);
  expect(s.costBreakdown).toMatchObject({ planDiscount: '0.00', total: '1.00' });
  await periodOver(subscriptionId);
  expect((await mySubscriptions(driver)).data!.planSubscriptions[0]).toMatchObject({
    status: 'ENDED',
    endReason: 'UNPAID',
  });
}, 120_000);

it('the auditor’s tool matches every plan fee with its PlanFeeSettled event, and the ledger still replays', async () => {
  const a = await registerUser(url);
  await gql(
    url,
    'mutation($u: ID!) { setUserRoles(userId: $u, roles: [AUDITOR]) { id } }',
    { u: a.userId },
    { token: admin.token },
  );
  const auditor = await login(url, a.input.email, a.input.password);
  const fees = await gql(
    url,
    '{ planFeeLedger(first: 100) { records { recordId status } nextCursor } }',
    {},
    {
      token: auditor.token,
    },
  );
  const confirmed = fees.data!.planFeeLedger.records.filter((r: any) => r.status === 'CONFIRMED');
  expect(confirmed.length).toBeGreaterThanOrEqual(3);
  const { code, report } = await runAuditCli({
    rpc: chain.url,
    api: url,
    contract: await f.payments.getAddress(),
    auditor: { email: a.input.email, password: a.input.password },
  });
  expect(report.findings).toEqual([]);
  expect(code).toBe(0);
  expect(report.records.planFees).toMatchObject({
    api: fees.data!.planFeeLedger.records.length,
    events: confirmed.length,
    matched: confirmed.length,
  });
  expect(report.replay.done).toBe(true);
  // Tampered in the database, a plan fee no longer matches its event.
  const victim = confirmed[0].recordId;
  await db.query('update session.plan_charge set amount_micros = amount_micros + 1 where record_id = $1', [
    victim,
  ]);
  try {
    const tampered = await runAuditCli({
      rpc: chain.url,
      api: url,
      contract: await f.payments.getAddress(),
      auditor: { email: a.input.email, password: a.input.password },
    });
    expect(tampered.code).toBe(1);
    expect(tampered.report.findings.map((x) => [x.kind, x.record])).toContainEqual([
      'hashMismatch',
      `PlanFee ${victim}`,
    ]);
  } finally {
    await db.query('update session.plan_charge set amount_micros = amount_micros - 1 where record_id = $1', [
      victim,
    ]);
  }
}, 120_000);

it('the month’s invoices list the plan fees with their transactions: the driver’s charges, the operator’s platform fees', async () => {
  const fees = (await mySubscriptions(subscriber)).data!.planSubscriptions[0].charges;
  expect(fees).toHaveLength(2);
  const period = fees[1].periodStart.slice(0, 7);
  expect(
    (
      await gql(
        url,
        'mutation($p: String!) { issueInvoices(period: $p) }',
        { p: period },
        { token: admin.token },
      )
    ).data!.issueInvoices,
  ).toBeGreaterThanOrEqual(2);
  const INVOICES = `{ invoices(first: 100) { edges { node { id kind issuerId recipientId total
    lines { kind sessionId planChargeId planName amount txHash } } } } }`;
  // The operator's (the subscriber also charged once at another operator's station).
  const invoice = (await gql(url, INVOICES, {}, { token: subscriber.token }))
    .data!.invoices.edges.map((e: any) => e.node)
    .find((i: any) => i.issuerId === operator.userId);
  expect(invoice).toMatchObject({
    kind: 'CHARGING',
    issuerId: operator.userId,
    recipientId: subscriber.userId,
  });
  const planLines = invoice.lines.filter((l: any) => l.kind === 'PLAN_FEE');
  expect(planLines).toEqual(
    [...fees].reverse().map((c: any) => ({
      kind: 'PLAN_FEE',
      sessionId: null,
      planChargeId: c.id,
      planName: 'Plus',
      amount: '9.90',
      txHash: c.settlement.txHash,
    })),
  );
  // The PDF names each fee’s charge and the transaction that paid it.
  const text = await invoicePdfText(url, invoice.id, subscriber.token);
  expect(text).toContain('plan Plus monthly fee');
  for (const c of fees) {
    expect(text).toContain(c.id);
    expect(text).toContain(c.settlement.txHash);
  }
  // Sessions and fees add up to the total.
  const cents = (x: string) => Math.round(Number(x) * 100);
  expect(invoice.lines.reduce((n: number, l: any) => n + cents(l.amount), 0)).toBe(cents(invoice.total));
  expect(invoice.lines.filter((l: any) => l.kind === 'SESSION').length).toBeGreaterThanOrEqual(4);
  const platform = (await gql(url, INVOICES, {}, { token: operator.token }))
    .data!.invoices.edges.map((e: any) => e.node)
    .find((i: any) => i.kind === 'PLATFORM_FEES');
  const ids = fees.map((c: any) => c.id);
  expect(
    platform.lines.filter((l: any) => ids.includes(l.planChargeId)).map((l: any) => [l.amount, l.txHash]),
  ).toEqual([...fees].reverse().map((c: any) => ['0.2475', c.settlement.txHash]));
});

it('operators retire a plan: no new subscribers, and only its operator sees it among the retired', async () => {
  const plan = await gql(
    url,
    'mutation { createPlan(input: { name: "Old", currency: "USD", monthlyFee: "1.00", freeMinutesPerMonth: 5 }) { id } }',
    {},
    { token: operator.token },
  );
  const id = plan.data!.createPlan.id;
  const other = await aUserWithRoles(url, admin, ['OPERATOR']);
  expect(await codeFor(other, 'mutation($p: ID!) { retirePlan(planId: $p) { id } }', { p: id })).toBe(
    'FORBIDDEN',
  );
  const retired = await gql(
    url,
    'mutation($p: ID!) { retirePlan(planId: $p) { retiredAt } }',
    { p: id },
    { token: operator.token },
  );
  expect(retired.data!.retirePlan.retiredAt).not.toBeNull();
  const { driver } = await payingDriver(world(), 7, 'PLANCARD4', 50, 50);
  expect(codeOf(await subscribe(driver, id))).toBe('CONFLICT');
  const list = (token: string, all: boolean) =>
    gql(
      url,
      'query($o: ID!, $a: Boolean!) { plans(operatorId: $o, includeRetired: $a) { id } }',
      { o: operator.userId, a: all },
      { token },
    );
  expect((await list(driver.token, false)).data!.plans.map((x: any) => x.id)).not.toContain(id);
  expect((await list(operator.token, true)).data!.plans.map((x: any) => x.id)).toContain(id);
  expect(codeOf(await list(driver.token, true))).toBe('FORBIDDEN');
});
