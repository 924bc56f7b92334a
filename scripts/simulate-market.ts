/**
 * `npm run simulate -- --market --sites N --minutes M`: a community energy market in motion, through
 * the public API and the MQTT broker, in the demo community (`npm start` seeds it: demo-market.ts).
 *
 * Half the sites are prosumers (HOST, rooftop PV, a PRODUCTION meter), half households (BUYER, a
 * CONSUMPTION meter and, on the local development chain, a development wallet with test USD in
 * escrow). Every 10 s each meter reports its registers, the even ones over GraphQL, the odd ones over
 * MQTT (when MQTT_URL or a broker on 127.0.0.1:1883 answers). For every interval whose gate is open,
 * each prosumer offers its forecast surplus and each household bids for its forecast load.
 *
 * Curves (for demos, not forecasts): PV follows a bell over a simulated day that passes in 24
 * minutes and begins mid-morning, so a run of a few minutes sees production rise; households draw 300–900 W with
 * some noise. Bidding strategy: sellers ask 80–120, buyers bid 120–250 token units per kWh (within
 * the community's cap), so most intervals clear.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import mqtt from 'mqtt';
import type { Config } from '../lib/config.js';
import { readDeployment } from '../lib/chain/contracts.js';
import { hashDeviceKey, signReadings } from '../subgraphs/energy-trading/services/device-keys.js';
import { ensureDemoCommunity } from './demo-market.js';
import { apiClient, fundEscrow } from './sim-support.js';

const REPORT_EVERY_MS = 10_000;
/** Development wallets 4…9 fund the households (2 and 3 belong to the charger simulator). */
const FIRST_WALLET = 4;
const LAST_WALLET = 9;
const SIM_DAY_MS = 24 * 60_000;

/** What the market simulator keeps between runs (device keys are shown only once). */
const STORE = '.gridledger/simulator-market.json';
interface Store {
  communityId: string;
  sites: {
    email: string;
    password: string;
    role: 'HOST' | 'BUYER';
    kwp: number;
    meterId: string;
    deviceKey: string;
  }[];
}

interface SimSite {
  token: string;
  role: 'HOST' | 'BUYER';
  meterId: string;
  deviceKey: string;
  kwp: number;
  registerWh: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The simulated day begins at 08:24 when the run starts, so that a short run sees the sun. */
const MORNING = 0.35;
/** PV power (W) of a site `t` ms into the run: a bell over the simulated day, nothing at night. */
const pvW = (kwp: number, t: number) => {
  const phase = (t / SIM_DAY_MS + MORNING) % 1; // 0 … 1: midnight to midnight
  return Math.max(0, Math.sin(Math.PI * (phase * 2 - 0.5))) * kwp * 1000 * 0.8;
};
const loadW = () => 300 + Math.random() * 600;

export async function simulateMarket(
  config: Config,
  opts: { gatewayUrl: string; sites: number; minutes: number },
): Promise<number> {
  if (!Number.isInteger(opts.sites) || opts.sites < 2 || !(opts.minutes > 0)) {
    console.error('usage: npm run simulate -- --market --sites N (≥ 2) --minutes M');
    return 2;
  }
  const { gql, login, linkDevWallet } = apiClient(opts.gatewayUrl);
  const admin = await login(config.admin.email, config.admin.password ?? '');
  const community = await ensureDemoCommunity(gql, admin, config);
  const deployment =
    config.env === 'production' ? null : await readDeployment(config.settlement.network).catch(() => null);
  const mqttUrl = config.market.mqttUrl ?? 'mqtt://127.0.0.1:1883';
  const broker = await mqtt
    .connectAsync(mqttUrl, { reconnectPeriod: 0, connectTimeout: 2000 })
    .catch(() => null);
  console.log(
    `market simulation in "${community.name}" (${community.intervalMinutes}-minute intervals): ${opts.sites} sites, ${opts.minutes} min; MQTT ${broker ? mqttUrl : 'unavailable: GraphQL only'}`,
  );
  // Sites (and their accounts and device keys) are kept between runs, for this community.
  const saved = await readFile(STORE, 'utf8').then(
    (t) => JSON.parse(t) as Store,
    () => null,
  );
  const store: Store = saved?.communityId === community.id ? saved : { communityId: community.id, sites: [] };
  for (let i = store.sites.length; i < opts.sites; i++) {
    const role = i % 2 === 0 ? 'HOST' : 'BUYER';
    const email = `sim-${role.toLowerCase()}-${Date.now().toString(36)}-${i}@gridledger.local`;
    const password = randomBytes(18).toString('base64url');
    const reg = await gql<{ register: { user: { id: string } } }>(
      'mutation($i: RegisterInput!) { register(input: $i) { user { id } } }',
      { i: { email, password, displayName: `Simulated ${role.toLowerCase()} ${i}` } },
    );
    await gql(
      'mutation($u: ID!, $r: [Role!]!) { setUserRoles(userId: $u, roles: $r) { id } }',
      { u: reg.register.user.id, r: [role] },
      admin,
    );
    const token = await login(email, password);
    await gql(
      'mutation($c: String!) { joinCommunity(inviteCode: $c) { id } }',
      { c: community.inviteCode },
      token,
    );
    const kwp = role === 'HOST' ? 4 + Math.round(Math.random() * 6) : 0;
    const site = await gql<{ createSite: { id: string } }>(
      'mutation($i: CreateSiteInput!) { createSite(input: $i) { id } }',
      {
        i: {
          communityId: community.id,
          name: `Simulated ${i}`,
          latitude: 52.5 + i / 1000,
          longitude: 13.4,
          pvCapacityWp: kwp * 1000,
        },
      },
      token,
    );
    const meter = await gql<{ registerMeter: { deviceKey: string; meter: { id: string } } }>(
      'mutation($s: ID!, $k: MeterKind!, $n: String!) { registerMeter(siteId: $s, kind: $k, serial: $n) { deviceKey meter { id } } }',
      {
        s: site.createSite.id,
        k: role === 'HOST' ? 'PRODUCTION' : 'CONSUMPTION',
        n: `SIM-${randomBytes(6).toString('hex')}`,
      },
      token,
    );
    store.sites.push({
      email,
      password,
      role,
      kwp,
      meterId: meter.registerMeter.meter.id,
      deviceKey: meter.registerMeter.deviceKey,
    });
    await mkdir('.gridledger', { recursive: true });
    await writeFile(STORE, JSON.stringify(store, null, 2));
  }
  const sites: SimSite[] = [];
  let wallet = FIRST_WALLET;
  for (const saved of store.sites.slice(0, opts.sites)) {
    const token = await login(saved.email, saved.password);
    // Households pay from development wallets (linked once, topped up each run).
    if (saved.role === 'BUYER' && deployment) {
      // The next development wallet this household can link (another account may hold one).
      let w = null;
      while (!w && wallet <= LAST_WALLET) w = await linkDevWallet(token, wallet++).catch(() => null);
      if (!w) console.log(`  ${saved.email}: no development wallet left to link: its bids will be refused`);
      // 50 tokens in escrow, all of them within the wallet's limits (bids are checked against what may
      // still be settled today).
      const fifty = 50n * 10n ** BigInt(deployment.tokenDecimals);
      if (w) await fundEscrow(config.chain.rpcUrl, deployment, w, fifty, fifty);
    }
    // Registers go on from the last reading stored (a register never goes backwards).
    const { meterReadings } = await gql<{ meterReadings: { importWh: number; exportWh: number }[] }>(
      'query($m: ID!, $f: DateTimeISO!, $t: DateTimeISO!) { meterReadings(meterId: $m, from: $f, to: $t, resolution: RAW) { importWh exportWh } }',
      {
        m: saved.meterId,
        f: new Date(Date.now() - 30 * 24 * 3600_000).toISOString(),
        t: new Date(Date.now() + 600_000).toISOString(),
      },
      token,
    );
    const last = meterReadings.at(-1);
    sites.push({
      token,
      role: saved.role,
      meterId: saved.meterId,
      deviceKey: saved.deviceKey,
      kwp: saved.kwp,
      registerWh: last ? (saved.role === 'HOST' ? last.exportWh : last.importWh) : 0,
    });
  }
  const stats = { readings: 0, orders: 0, refused: 0 };
  const startedAt = Date.now();
  const deadline = startedAt + opts.minutes * 60_000;
  const ordered = new Set<number>();

  async function report(site: SimSite, index: number, now: number) {
    const watts = site.role === 'HOST' ? pvW(site.kwp, now - startedAt) : loadW();
    site.registerWh += Math.round((watts * REPORT_EVERY_MS) / 3_600_000);
    const reading = {
      timestamp: new Date(now).toISOString(),
      importWh: site.role === 'BUYER' ? site.registerWh : 0,
      exportWh: site.role === 'HOST' ? site.registerWh : 0,
    };
    if (broker && index % 2 === 1) {
      const body = JSON.stringify({ readings: [reading] });
      await broker.publishAsync(
        `gridledger/meters/${site.meterId}/readings`,
        JSON.stringify({ body, signature: signReadings(hashDeviceKey(site.deviceKey), body) }),
        { qos: 1 },
      );
    } else {
      await gql(
        'mutation($m: ID!, $r: [MeterReadingInput!]!) { submitMeterReadings(meterId: $m, readings: $r) { accepted } }',
        { m: site.meterId, r: [reading] },
        undefined,
        { 'x-meter-key': site.deviceKey },
      );
    }
    stats.readings++;
  }

  async function bid(now: number) {
    const step = community.intervalMinutes * 60_000;
    const start = Math.floor((now + community.gateClosureMinutes * 60_000) / step) * step + step;
    if (ordered.has(start)) return;
    ordered.add(start);
    const hours = step / 3_600_000;
    for (const s of sites) {
      const forecastWh = Math.round(
        (s.role === 'HOST' ? pvW(s.kwp, start - startedAt) * 0.9 : loadW()) * hours,
      );
      if (forecastWh < 1) continue;
      const limit =
        s.role === 'HOST'
          ? 80 + Math.floor(Math.random() * 40)
          : Math.min(community.priceCapPerKwh, 120 + Math.floor(Math.random() * 130));
      await gql(
        'mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { id } }',
        {
          i: {
            communityId: community.id,
            intervalStart: new Date(start).toISOString(),
            side: s.role === 'HOST' ? 'SELL' : 'BUY',
            energyWh: forecastWh,
            limitPricePerKwh: limit,
          },
        },
        s.token,
      ).then(
        () => stats.orders++,
        (err: Error) => {
          if (stats.refused++ === 0) console.log(`  an order was refused: ${err.message}`);
        },
      );
    }
  }

  while (Date.now() < deadline) {
    const now = Date.now();
    await bid(now);
    await Promise.all(sites.map((s, i) => report(s, i, now).catch(() => {})));
    console.log(`  readings ${stats.readings}, orders ${stats.orders} (refused ${stats.refused})`);
    await sleep(Math.min(REPORT_EVERY_MS, Math.max(0, deadline - Date.now())));
  }
  await broker?.endAsync();
  const summary = await gql<{
    marketStats: { intervals: number; volumeWh: number; averagePrice: number | null };
  }>(
    'query($c: ID!, $f: DateTimeISO!, $t: DateTimeISO!) { marketStats(communityId: $c, from: $f, to: $t) { intervals volumeWh averagePrice } }',
    { c: community.id, f: new Date(startedAt).toISOString(), t: new Date(deadline + 60_000).toISOString() },
    admin,
  );
  console.log(
    `done: ${stats.readings} readings, ${stats.orders} orders; ${summary.marketStats.intervals} intervals cleared, ${summary.marketStats.volumeWh} Wh matched` +
      (summary.marketStats.averagePrice === null
        ? ''
        : ` at ${summary.marketStats.averagePrice.toFixed(1)} token units/kWh on average`),
  );
  return 0;
}
