import type { MqttClient } from 'mqtt';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { TypedDataEncoder } from 'ethers';
import { READING_LEAF_TYPES } from '../../lib/ledger.js';
import pg from 'pg';
import { aUserWithRoles, loginAdmin, registerUser, type Session } from '../support/builders.js';
import { runAuditCli } from '../support/audit.js';
import {
  aFundedPayer,
  deployFixture,
  linkWallet,
  mined,
  startChain,
  writeTestDeployment,
  type Chain,
  type Fixture,
} from '../support/chain.js';
import { eventually } from '../support/chargers.js';
import {
  aCommunity,
  aMeteredSite,
  mqttClient,
  readingsTopic,
  signedMessage,
  submitReadings,
} from '../support/market.js';
import { codeOf, gql, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { follow, wsClient } from '../support/subscriptions.js';

let chain: Chain;
let f: Fixture;
let p: TestPlatform;
let url: string;
let deployment: Awaited<ReturnType<typeof writeTestDeployment>>;
let broker: MqttClient;
let operator: Session;
let host: Session;
let buyer: Session;
let community: { id: string; inviteCode: string };
let seller: Awaited<ReturnType<typeof aMeteredSite>>;
let consumer: Awaited<ReturnType<typeof aMeteredSite>>;

const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

beforeAll(async () => {
  chain = await startChain();
  f = await deployFixture(chain);
  deployment = await writeTestDeployment(f);
  p = await startTestPlatform({
    CHAIN_RPC_URL: chain.url,
    SETTLEMENT_NETWORK: deployment.network,
    MQTT_URL: process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883',
    MARKET_DELIVERY_GRACE_SECONDS: '2',
    RATE_LIMIT_USER_PER_MINUTE: '0',
  });
  url = p.gatewayUrl;
  broker = await mqttClient();
  const admin = await loginAdmin(url);
  operator = await aUserWithRoles(url, admin, ['OPERATOR']);
  host = await aUserWithRoles(url, admin, ['HOST']);
  buyer = await aUserWithRoles(url, admin, ['BUYER']);
  // 1-minute intervals (allowed outside production), gate closure at the interval's start, 1 % fee.
  community = await aCommunity(url, operator, { intervalMinutes: 1, gateClosureMinutes: 0, feeBps: 100 });
  seller = await aMeteredSite(url, host, community, 'PRODUCTION');
  consumer = await aMeteredSite(url, buyer, community, 'CONSUMPTION');
  const wallet = chain.wallet(5);
  await linkWallet(url, buyer, wallet);
  // 1 token (1,000,000 units) in escrow, all of it within its limits.
  await aFundedPayer(f, wallet, 1_000_000n, 1_000_000n);
}, 120_000);
afterAll(async () => {
  await broker?.endAsync();
  await p?.stop();
  chain?.stop();
  await deployment?.remove();
});

const PLACE =
  'mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { id status side energyWh limitPricePerKwh } }';
const order = (
  s: Session,
  intervalStart: number,
  side: 'BUY' | 'SELL',
  energyWh: number,
  limit: number,
  siteId?: string,
) =>
  gql(
    url,
    PLACE,
    {
      i: {
        communityId: community.id,
        intervalStart: iso(intervalStart),
        side,
        energyWh,
        limitPricePerKwh: limit,
        ...(siteId ? { siteId } : {}),
      },
    },
    { token: s.token },
  );
const rawReadings = async (meterId: string, owner: Session, from: number, to: number) =>
  (
    await gql(
      url,
      'query($m: ID!, $f: DateTimeISO!, $t: DateTimeISO!) { meterReadings(meterId: $m, from: $f, to: $t, resolution: RAW) { at importWh exportWh late } }',
      { m: meterId, f: iso(from), t: iso(to) },
      { token: owner.token },
    )
  ).data?.meterReadings as { at: string; importWh: number; exportWh: number }[];
const metric = async (name: string, labels: string) => {
  const text = await (await fetch(`http://127.0.0.1:${p.config.ports.energy}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`gridledger_${name}{`) && l.includes(labels));
  return line ? Number(line.split(' ').at(-1)) : 0;
};

it('readings need the meter’s own device key: another meter’s key, a user token or none are refused', async () => {
  const now = Date.now();
  const r = [{ timestamp: iso(now - 5 * MINUTE), importWh: 1, exportWh: 1 }];
  expect(codeOf(await submitReadings(url, consumer.meterId, seller.deviceKey, r))).toBe('UNAUTHENTICATED');
  const withToken = await gql(
    url,
    'mutation($m: ID!, $r: [MeterReadingInput!]!) { submitMeterReadings(meterId: $m, readings: $r) { accepted } }',
    { m: consumer.meterId, r },
    { token: buyer.token },
  );
  expect(codeOf(withToken)).toBe('UNAUTHENTICATED');
  // The readings of somebody else's meter are not shown either.
  const other = await gql(
    url,
    'query($m: ID!) { meter(id: $m) { id } }',
    { m: consumer.meterId },
    { token: host.token },
  );
  expect(codeOf(other)).toBe('NOT_FOUND');
  expect(await rawReadings(consumer.meterId, buyer, now - 10 * MINUTE, now)).toEqual([]);
});

it('a batch keeps its good readings: a register going backwards is rejected with a reason, a repeat is a duplicate', async () => {
  const t = Date.now() - 30 * MINUTE;
  const batch = [
    { timestamp: iso(t), importWh: 0, exportWh: 100 },
    { timestamp: iso(t + MINUTE), importWh: 0, exportWh: 90 },
    { timestamp: iso(t + 2 * MINUTE), importWh: 0, exportWh: 130 },
    { timestamp: 'not a date', importWh: 0, exportWh: 1 },
  ];
  const bad = await submitReadings(url, seller.meterId, seller.deviceKey, batch);
  // A malformed timestamp is the document's fault: the whole call is refused with BAD_USER_INPUT.
  expect(codeOf(bad)).toBe('BAD_USER_INPUT');
  const r = await submitReadings(url, seller.meterId, seller.deviceKey, batch.slice(0, 3));
  expect(r.errors).toBeUndefined();
  expect(r.data!.submitMeterReadings).toMatchObject({ accepted: 2, duplicates: 0, late: 0 });
  expect(r.data!.submitMeterReadings.rejected).toEqual([
    { index: 1, timestamp: iso(t + MINUTE), reason: expect.stringMatching(/exportWh went backwards/) },
  ]);
  const again = await submitReadings(url, seller.meterId, seller.deviceKey, batch.slice(0, 3));
  expect(again.data!.submitMeterReadings).toMatchObject({ accepted: 0, duplicates: 2 });
  // Interval energy: 30 Wh in the minute after t + 1 min (interpolated between t and t + 2 min).
  const intervals = await gql(
    url,
    'query($m: ID!, $f: DateTimeISO!, $t: DateTimeISO!) { meterReadings(meterId: $m, from: $f, to: $t) { at exportWh } }',
    { m: seller.meterId, f: iso(t - MINUTE), t: iso(t + 3 * MINUTE) },
    { token: host.token },
  );
  const total = (intervals.data!.meterReadings as { exportWh: number }[]).reduce((s, x) => s + x.exportWh, 0);
  expect(total).toBeGreaterThan(0);
  expect(total).toBeLessThanOrEqual(30);
});

it('a badly signed or unsigned MQTT message changes nothing, and is counted', async () => {
  const t = Date.now() - 40 * MINUTE;
  const readings = [{ timestamp: iso(t), importWh: 7, exportWh: 0 }];
  const before = await metric('mqtt_messages_total', 'outcome="bad_signature"');
  await broker.publishAsync(
    readingsTopic(consumer.meterId),
    signedMessage(consumer.deviceKey, readings, seller.deviceKey),
    { qos: 1 },
  );
  await broker.publishAsync(
    readingsTopic(consumer.meterId),
    JSON.stringify({ body: JSON.stringify({ readings }) }),
    { qos: 1 },
  );
  await broker.publishAsync(readingsTopic(consumer.meterId), 'not json at all', { qos: 1 });
  await eventually(
    () => metric('mqtt_messages_total', 'outcome="bad_signature"'),
    (n) => n === before + 1,
  );
  await eventually(
    () => metric('mqtt_messages_total', 'outcome="unsigned"'),
    (n) => n >= 1,
  );
  await eventually(
    () => metric('mqtt_messages_total', 'outcome="malformed"'),
    (n) => n >= 1,
  );
  expect(await rawReadings(consumer.meterId, buyer, t - MINUTE, t + MINUTE)).toEqual([]);
});

it('refuses an order after gate closure, and a bid without escrow', async () => {
  const now = Date.now();
  const current = Math.floor(now / MINUTE) * MINUTE;
  const late = await order(host, current, 'SELL', 100, 10);
  expect(codeOf(late)).toBe('BAD_USER_INPUT');
  expect(late.errors![0]!.extensions).toMatchObject({ field: 'intervalStart', reason: 'GATE_CLOSED' });
  const misaligned = await order(host, current + MINUTE + 1000, 'SELL', 100, 10);
  expect(misaligned.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'intervalStart' });
  // 1 token of escrow: 10 kWh at 200 per kWh would hold 2,000 units of it... but 10,000 kWh needs more.
  const tooBig = await order(buyer, current + 2 * MINUTE, 'BUY', 10_000_000, 200);
  expect(codeOf(tooBig)).toBe('FORBIDDEN');
  expect(tooBig.errors![0]!.extensions!.reason).toBe('INSUFFICIENT_ESCROW');
  const poor = await aUserWithRoles(url, await loginAdmin(url), ['BUYER']);
  await aMeteredSite(url, poor, community, 'CONSUMPTION');
  const noWallet = await order(poor, current + 2 * MINUTE, 'BUY', 100, 10);
  expect(noWallet.errors![0]!.extensions!.reason).toBe('INSUFFICIENT_ESCROW');
  // A buyer may not sell, and the price must lie within the floor and cap.
  expect(codeOf(await order(buyer, current + 2 * MINUTE, 'SELL', 100, 10))).toBe('FORBIDDEN');
  const dear = await order(host, current + 2 * MINUTE, 'SELL', 100, 5000);
  expect(dear.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'limitPricePerKwh' });
});

it('readings over both doors → orders → clearing at gate closure → delivery checked against the meters', async () => {
  // The next interval whose gate is more than 15 s away: time to place the orders.
  let start = Math.ceil((Date.now() + 15_000) / MINUTE) * MINUTE;
  if (start - Date.now() < 15_000) start += MINUTE;
  const ws = wsClient(url, { authorization: `Bearer ${buyer.token}` });
  const trades = follow(ws, 'subscription { myTradeUpdates { id status energyWh deliveredWh } }');
  const cleared = follow(
    ws,
    'subscription($c: ID!) { clearingPublished(communityId: $c) { intervalStart pricePerKwh volumeWh } }',
    {
      c: community.id,
    },
  );
  try {
    const sell = await order(host, start, 'SELL', 600, 100);
    expect(sell.errors).toBeUndefined();
    const buy = await order(buyer, start, 'BUY', 500, 200);
    expect(buy.errors).toBeUndefined();
    // The book shows levels, never whose orders they are.
    const book = await gql(
      url,
      'query($c: ID!, $s: DateTimeISO!) { orderBook(communityId: $c, intervalStart: $s) { side pricePerKwh energyWh orders } }',
      { c: community.id, s: iso(start) },
      { token: buyer.token },
    );
    expect(book.data!.orderBook).toEqual([
      { side: 'BUY', pricePerKwh: 200, energyWh: 500, orders: 1 },
      { side: 'SELL', pricePerKwh: 100, energyWh: 600, orders: 1 },
    ]);
    // The seller's production meter over GraphQL: 400 Wh in the interval (less than sold).
    const produced = await submitReadings(url, seller.meterId, seller.deviceKey, [
      { timestamp: iso(start), importWh: 0, exportWh: 10_000 },
      { timestamp: iso(start + MINUTE), importWh: 0, exportWh: 10_400 },
    ]);
    expect(produced.data!.submitMeterReadings.accepted).toBe(2);
    // The buyer's consumption meter over MQTT: 600 Wh (more than bought).
    await broker.publishAsync(
      readingsTopic(consumer.meterId),
      signedMessage(consumer.deviceKey, [
        { timestamp: iso(start), importWh: 5000, exportWh: 0 },
        { timestamp: iso(start + MINUTE), importWh: 5600, exportWh: 0 },
      ]),
      { qos: 1 },
    );
    await eventually(
      () => rawReadings(consumer.meterId, buyer, start, start + 2 * MINUTE),
      (r) => r?.length === 2,
    );

    // Clearing at gate closure. Effective ask ⌈100 × 10,000 / 9,900⌉ = 102; the volume (500) is the
    // same for every price in [102, 200]: the midpoint, 151.
    const event = await cleared.next(
      (r) => r.data?.clearingPublished?.intervalStart === iso(start),
      start - Date.now() + 20_000,
    );
    expect(event.data!.clearingPublished).toMatchObject({ pricePerKwh: 151, volumeWh: 500 });
    const matched = await trades.next((r) => r.data?.myTradeUpdates?.status === 'MATCHED', 10_000);
    expect(matched.data!.myTradeUpdates).toMatchObject({ energyWh: 500, deliveredWh: null });
    const mine = await gql(url, '{ myOrders { id status filledWh } }', {}, { token: host.token });
    expect(mine.data!.myOrders.find((o: { id: string }) => o.id === sell.data!.placeOrder.id)).toMatchObject({
      status: 'PARTIALLY_FILLED',
      filledWh: 500,
    });
    // An order for a cleared interval is refused.
    expect(codeOf(await order(buyer, start, 'BUY', 10, 10))).toBe('BAD_USER_INPUT');

    // Delivery after the interval plus 2 s: the seller exported 400 of 500 Wh, the buyer took 600.
    const checked = await trades.next((r) => r.data?.myTradeUpdates?.status !== 'MATCHED', MINUTE + 20_000);
    expect(checked.data!.myTradeUpdates).toMatchObject({ status: 'PARTIALLY_DELIVERED', deliveredWh: 400 });
    const [trade] = (
      await gql(
        url,
        '{ myTrades { energyWh pricePerKwh grossAmount fee sellerAmount deliveredWh deliveredGrossAmount deliveredFee deliveredSellerAmount status mySide } }',
        {},
        { token: buyer.token },
      )
    ).data!.myTrades;
    // 500 Wh × 151 / 1,000 = 75.5 → 75; fee ⌊75 × 1 %⌋ = 0. Delivered 400 Wh: 60.4 → 60.
    expect(trade).toEqual({
      energyWh: 500,
      pricePerKwh: 151,
      grossAmount: 75,
      fee: 0,
      sellerAmount: 75,
      deliveredWh: 400,
      deliveredGrossAmount: 60,
      deliveredFee: 0,
      deliveredSellerAmount: 60,
      status: 'PARTIALLY_DELIVERED',
      mySide: 'BUY',
    });
    // The buyer's trades as CSV, through a short-lived gateway link; the seller's host sees it too, a
    // stranger's export of the same period holds nothing.
    const EXPORT = 'mutation($f: DateTimeISO!, $t: DateTimeISO!) { exportTrades(from: $f, to: $t) { url } }';
    const period = { f: iso(start - MINUTE), t: iso(start + MINUTE) };
    const csvOf = async (token: string) => {
      const link = (await gql(url, EXPORT, period, { token })).data!.exportTrades;
      const res = await fetch(new URL(url).origin + link.url);
      expect(res.headers.get('content-type')).toContain('text/csv');
      const [header, ...rows] = (await res.text())
        .trim()
        .split('\n')
        .map((l) => l.split(','));
      return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]])));
    };
    const exported = await csvOf(buyer.token);
    expect(exported).toHaveLength(1);
    expect(exported[0]).toMatchObject({
      traded_wh: '500',
      delivered_wh: '400',
      price_per_kwh_units: '151',
      gross_units: '75',
      status: 'PARTIALLY_DELIVERED',
      interval_start: iso(start).replace('.000Z', 'Z'),
    });
    expect(await csvOf(host.token)).toHaveLength(1);
    expect(await csvOf((await registerUser(url)).token)).toHaveLength(0);

    // A reading for the checked interval now is stored but flagged late.
    const late = await submitReadings(url, seller.meterId, seller.deviceKey, [
      { timestamp: iso(start + 30_000), importWh: 0, exportWh: 10_200 },
    ]);
    expect(late.data!.submitMeterReadings).toMatchObject({ accepted: 1, late: 1 });
    const stats = await gql(
      url,
      'query($c: ID!, $f: DateTimeISO!, $t: DateTimeISO!) { marketStats(communityId: $c, from: $f, to: $t) { volumeWh averagePrice deliveredWh consumedWh selfSufficiency } }',
      { c: community.id, f: iso(start), t: iso(start + MINUTE) },
      { token: operator.token },
    );
    expect(stats.data!.marketStats).toEqual({
      volumeWh: 500,
      averagePrice: 151,
      deliveredWh: 400,
      consumedWh: 600,
      selfSufficiency: 400 / 600,
    });
    // The market report reads each interval's totals off its clearing row (written by the delivery
    // check): its hour agrees with marketStats, which sums trades and meter energy over the same hour.
    const hour = Math.floor(start / 3_600_000) * 3_600_000;
    const report = await gql(
      url,
      `query($c: ID!, $f: String!, $t: String!) { marketReport(communityId: $c, from: $f, to: $t, granularity: HOUR) {
        buckets { period intervals checkedIntervals volumeWh averagePrice tradedAmount deliveredWh deliveredShare consumedWh selfSufficiency } } }`,
      { c: community.id, f: iso(hour), t: iso(hour + 3_600_000) },
      { token: operator.token },
    );
    const [bucket] = report.data!.marketReport.buckets;
    const hourStats = (
      await gql(
        url,
        'query($c: ID!, $f: DateTimeISO!, $t: DateTimeISO!) { marketStats(communityId: $c, from: $f, to: $t) { intervals volumeWh tradedAmount deliveredWh consumedWh } }',
        { c: community.id, f: iso(hour), t: iso(hour + 3_600_000) },
        { token: operator.token },
      )
    ).data!.marketStats;
    expect(bucket.period).toBe(iso(hour));
    expect(bucket.checkedIntervals).toBeGreaterThanOrEqual(1);
    expect(bucket).toMatchObject({
      intervals: hourStats.intervals,
      volumeWh: hourStats.volumeWh,
      tradedAmount: hourStats.tradedAmount,
      deliveredWh: hourStats.deliveredWh,
    });
    expect(bucket.volumeWh).toBeGreaterThanOrEqual(500);
    expect(bucket.deliveredWh).toBeGreaterThanOrEqual(400);
  } finally {
    trades.stop();
    cleared.stop();
    await ws.dispose();
  }
}, 180_000);

it('a cleared, delivered trade is paid on chain: the buyer’s escrow to the site’s co-owners by share, and the fee', async () => {
  const admin = await loginAdmin(url);
  const investor = await aUserWithRoles(url, admin, ['INVESTOR']);
  const [hostWallet, investorWallet] = [chain.wallet(6), chain.wallet(7)];
  await linkWallet(url, host, hostWallet);
  await linkWallet(url, investor, investorWallet);
  const me = await gql(url, '{ me { id } }', {}, { token: investor.token });
  const hostId = (await gql(url, '{ me { id } }', {}, { token: host.token })).data!.me.id as string;
  // The host's second site, 70 % the host's and 30 % the investor's.
  const shared = await aMeteredSite(url, host, community, 'PRODUCTION', [
    { userId: hostId, shareBps: 7000 },
    { userId: me.data!.me.id as string, shareBps: 3000 },
  ]);
  await mined(f.payments.setFee(chain.wallet(8).address, 1));
  const buyerWallet = chain.wallet(5).address;
  const [escrowBefore] = (await f.payments.escrowOf(buyerWallet)) as bigint[];
  const credits = () =>
    Promise.all(
      [hostWallet.address, investorWallet.address, chain.wallet(8).address].map(
        (a) => f.payments.creditsOf(a) as Promise<bigint>,
      ),
    );
  const creditsBefore = await credits();

  let start = Math.ceil((Date.now() + 15_000) / MINUTE) * MINUTE;
  if (start - Date.now() < 15_000) start += MINUTE;
  expect((await order(host, start, 'SELL', 3000, 100, shared.siteId)).errors).toBeUndefined();
  expect((await order(buyer, start, 'BUY', 3000, 1000)).errors).toBeUndefined();
  // Both meters see the whole 3,000 Wh in the interval.
  await submitReadings(url, shared.meterId, shared.deviceKey, [
    { timestamp: iso(start), importWh: 0, exportWh: 1_000 },
    { timestamp: iso(start + MINUTE), importWh: 0, exportWh: 4_000 },
  ]);
  await submitReadings(url, consumer.meterId, consumer.deviceKey, [
    { timestamp: iso(start), importWh: 20_000, exportWh: 0 },
    { timestamp: iso(start + MINUTE), importWh: 23_000, exportWh: 0 },
  ]);

  // The chain as it is before the trade's settlement: reverted to below, as a reorganisation would.
  const beforeSettlement = (await chain.provider.send('evm_snapshot', [])) as string;
  const TRADES =
    '{ myTrades { intervalStart status deliveredWh deliveredGrossAmount deliveredFee settlement { status recordId recordHash buyer seller txHash fee failureReason } } }';
  const settled = await eventually(
    () => gql(url, TRADES, {}, { token: buyer.token }),
    (r: any) =>
      r.data?.myTrades.find((t: any) => t.intervalStart === iso(start))?.settlement?.status === 'CONFIRMED',
    start - Date.now() + MINUTE + 40_000,
  );
  const trade = settled.data!.myTrades.find((t: any) => t.intervalStart === iso(start));
  // Effective ask ⌈100 × 10,000 / 9,900⌉ = 102; 3,000 Wh match at every price in [102, 1,000]: the
  // midpoint 551. Gross ⌊3,000 × 551 / 1,000⌋ = 1,653; fee ⌊1,653 × 1 %⌋ = 16; the site's part 1,637.
  expect(trade).toMatchObject({
    status: 'DELIVERED',
    deliveredWh: 3000,
    deliveredGrossAmount: 1653,
    deliveredFee: 16,
    settlement: {
      status: 'CONFIRMED',
      buyer: buyerWallet,
      seller: hostWallet.address,
      fee: 16,
      failureReason: null,
    },
  });
  // On chain: one TradeSettled with the record's terms; the co-owners credited by share of 1,637:
  // the investor ⌊1,637 × 30 %⌋ = 491, the host (the first share) the rest, 1,146.
  const [event] = (await f.payments.queryFilter(
    f.payments.filters.TradeSettled!(BigInt(trade.settlement.recordId)),
  )) as any[];
  expect(event.transactionHash).toBe(trade.settlement.txHash);
  expect(event.args.toArray()).toEqual([
    BigInt(trade.settlement.recordId),
    hostWallet.address,
    buyerWallet,
    3000n,
    551n,
    1653n,
    16n,
    trade.settlement.recordHash,
  ]);
  // Its proof, as the buyer reads it: the ledger record (docs/ledger-format.md) hashes, with ethers'
  // own EIP-712 encoder, to the event's record hash; it names the co-owners' shares and both energies.
  const proof = (
    await gql(
      url,
      'query($r: ID!) { tradeSettlementProof(recordId: $r) { tradeId status typedData recordHash txHash logIndex confirmations } }',
      { r: trade.settlement.recordId },
      { token: buyer.token },
    )
  ).data!.tradeSettlementProof;
  const typed = JSON.parse(proof.typedData);
  expect(typed.message).toMatchObject({
    recordId: trade.settlement.recordId,
    buyer: buyerWallet,
    seller: hostWallet.address,
    tradedWh: '3000',
    energyWh: '3000',
    pricePerKwh: '551',
    feeBps: 100,
    intervalStart: String(start / 1000),
  });
  expect(typed.message.shares).toHaveLength(2);
  const { EIP712Domain: _, ...types } = typed.types;
  expect(TypedDataEncoder.hash(typed.domain, types, typed.message)).toBe(event.args[7]);
  expect(proof).toMatchObject({ status: 'CONFIRMED', txHash: event.transactionHash, logIndex: event.index });
  // The auditor's tool finds the trade matching its event; after its delivered energy is changed in
  // the database, the record no longer hashes to the event's, nor pays what the event paid.
  const auditorAccount = await registerUser(url);
  await gql(
    url,
    'mutation($u: ID!) { setUserRoles(userId: $u, roles: [AUDITOR]) { id } }',
    { u: auditorAccount.userId },
    { token: admin.token },
  );
  const audit = () =>
    runAuditCli({
      rpc: chain.url,
      api: url,
      contract: f.payments.target as string,
      auditor: { email: auditorAccount.input.email, password: auditorAccount.input.password },
    });
  const clean = await audit();
  expect(clean.report.findings).toEqual([]);
  expect(clean.report.records.trades).toMatchObject({ api: 1, events: 1, matched: 1 });
  // The interval's meter readings were anchored on chain before its trade was paid.
  const anchors = clean.report.anchors;
  expect(anchors.matched).toBe(anchors.events);
  expect(anchors.matched).toBeGreaterThanOrEqual(1);
  const [anchored] = (await f.payments.queryFilter(
    f.payments.filters.ReadingsAnchored!(null, BigInt(start / 1000)),
  )) as any[];
  expect(anchored.blockNumber).toBeLessThanOrEqual(event.blockNumber);
  // The consumer proves its reading of that interval against the anchored root.
  const reading = (
    await gql(
      url,
      'query($m: ID!, $t: DateTimeISO!) { readingProof(meterId: $m, intervalStart: $t) { leaf proof root anchor { root status txHash } } }',
      { m: consumer.meterId, t: iso(start) },
      { token: buyer.token },
    )
  ).data!.readingProof;
  expect(reading.leaf).toEqual([consumer.meterId, String(start / 1000), '3000', '0']);
  expect(reading.root).toBe(anchored.args[2]);
  expect(reading.anchor).toMatchObject({
    root: anchored.args[2],
    status: 'CONFIRMED',
    txHash: anchored.transactionHash,
  });
  expect(StandardMerkleTree.verify(reading.root, READING_LEAF_TYPES, reading.leaf, reading.proof)).toBe(true);
  const db = new pg.Client({ connectionString: p.env.DATABASE_URL });
  await db.connect();
  try {
    await db.query('update market.trade set delivered_wh = delivered_wh - 1000 where id = $1', [
      proof.tradeId,
    ]);
    const tampered = await audit();
    expect(tampered.code).toBe(1);
    expect(tampered.report.findings.map((x) => x.kind)).toEqual(['hashMismatch', 'termsMismatch']);
    expect(tampered.report.findings[1]!.detail).toContain('energyWh: record 2000, event 3000');
    await db.query('update market.trade set delivered_wh = delivered_wh + 1000 where id = $1', [
      proof.tradeId,
    ]);
    // The trade's stored amount changed (what its parties see): not what the chain took.
    await db.query('update market.trade set delivered_gross_amount = 1000 where id = $1', [proof.tradeId]);
    const amount = await audit();
    expect(amount.code).toBe(1);
    expect(amount.report.findings).toEqual([
      expect.objectContaining({ kind: 'termsMismatch', detail: 'stored amount 1000 ≠ paid 1653' }),
    ]);
    await db.query('update market.trade set delivered_gross_amount = 1653 where id = $1', [proof.tradeId]);
    // One stored reading of the anchored interval changed: its tree's root is no longer the chain's.
    await db.query(
      'update market.interval_energy set import_wh = import_wh + 1 where meter_id = $1 and interval_start = $2',
      [consumer.meterId, iso(start)],
    );
    const reread = await audit();
    expect(reread.code).toBe(1);
    expect(reread.report.findings.map((x) => x.kind)).toEqual(['anchorMismatch']);
    expect(reread.report.findings[0]!.record).toContain(`interval ${iso(start)}`);
    await db.query(
      'update market.interval_energy set import_wh = import_wh - 1 where meter_id = $1 and interval_start = $2',
      [consumer.meterId, iso(start)],
    );
    expect((await audit()).report.findings).toEqual([]);
  } finally {
    await db.end();
  }
  const creditsAfter = await credits();
  expect(creditsAfter.map((c, i) => c - creditsBefore[i]!)).toEqual([1146n, 491n, 16n]);
  expect(((await f.payments.escrowOf(buyerWallet)) as bigint[])[0]).toBe(escrowBefore! - 1653n);

  // A reorganisation takes the settlement off the chain: the market's sweep settles it again, once.
  await chain.provider.send('evm_revert', [beforeSettlement]);
  const recordId = BigInt(trade.settlement.recordId);
  expect(await f.payments.isTradeSettled(recordId)).toBe(false);
  await eventually(
    () => f.payments.isTradeSettled(recordId) as Promise<boolean>,
    (x) => x,
    30_000,
  );
  const again = await eventually(
    () => gql(url, TRADES, {}, { token: buyer.token }),
    (r: any) =>
      r.data?.myTrades.find((t: any) => t.intervalStart === iso(start))?.settlement?.status === 'CONFIRMED',
    30_000,
  );
  const events = await f.payments.queryFilter(f.payments.filters.TradeSettled!(recordId));
  expect(events).toHaveLength(1);
  expect(again.data!.myTrades.find((t: any) => t.intervalStart === iso(start)).settlement.txHash).toBe(
    events[0]!.transactionHash,
  );
  expect(((await f.payments.escrowOf(buyerWallet)) as bigint[])[0]).toBe(escrowBefore! - 1653n);
}, 240_000);
