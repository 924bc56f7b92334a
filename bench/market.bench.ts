/**
 * Community market benchmark, on a platform of its own (fresh database, own Redis prefix, free
 * ports; the machine's Mosquitto for MQTT):
 *
 *   1. the auction alone (services/clearing.ts) for 10,000 and 100,000 orders in one interval,
 *      against a lower bound measured in the same run: sorting the same orders' prices once;
 *   2. clearing end to end (Market.clear: load the open orders, auction, store the trades and the
 *      result in one transaction), against the lower bound of its database work alone: the same
 *      SELECT plus an INSERT of as many trade rows, done inside Postgres and rolled back;
 *   3. readings ingested per second by the energy-trading subgraph over GraphQL through the
 *      gateway (batches of 500, one meter per batch, several meters in parallel) and over MQTT
 *      (messages of 50 readings), against a floor of the same rows inserted straight into Postgres.
 *
 *   npm run bench:market -- [--runs 5] [--meters 40] [--seconds 8]
 *
 * Everything shares this machine's two cores (load generator, gateway, subgraph, Postgres, Redis,
 * Mosquitto): figures are for comparison within the run, not capacity figures.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import pg from 'pg';
import { createLogger } from '../lib/logger.js';
import { clearInterval, type Order } from '../subgraphs/energy-trading/services/clearing.js';
import { hashDeviceKey, signReadings } from '../subgraphs/energy-trading/services/device-keys.js';
import { Market } from '../subgraphs/energy-trading/services/market.js';
import { BENCH_ADMIN, benchPlatform } from './bench-platform.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    meters: { type: 'string', default: '40' },
    seconds: { type: 'string', default: '8' },
  },
});
const RUNS = Number(values.runs);
const METERS = Number(values.meters);
const SECONDS = Number(values.seconds);
const BATCH = 500;
const MQTT_BATCH = 50;
const MQTT_URL = process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const TARGETS = { auctionMs: 200, endToEndMs: 2000, readingsPerSecond: 20_000 };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const time = async (work: () => unknown) => {
  const t = performance.now();
  await work();
  return performance.now() - t;
};
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

/** A random book: prices around a crossing point, so that about half the volume matches. */
function randomBook(n: number, seed = 1): Order[] {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: n }, (_, i) => ({
    id: `o${i}`,
    side: rnd() < 0.5 ? 'BUY' : 'SELL',
    energyWh: 100 + Math.floor(rnd() * 5000),
    limitPricePerKwh: 50 + Math.floor(rnd() * 300),
    placedAt: Math.floor(rnd() * 900_000),
  }));
}

const bench = await benchPlatform(new Set(['user', 'station', 'session', 'energy', 'gateway']));
Object.assign(bench.env, { MQTT_URL });
try {
  // --- 1. the auction alone ----------------------------------------------------------------------
  console.log(`Market benchmark (median of ${RUNS} runs; 2-core machine, everything on it)\n`);
  console.log('1. The auction alone (clearInterval), against sorting the orders’ prices once');
  for (const n of [10_000, 100_000]) {
    // In time order, as Market.clear loads a book from the database.
    const book = randomBook(n).sort((a, b) => a.placedAt - b.placedAt || (a.id < b.id ? -1 : 1));
    clearInterval(book, { priceFloor: 0, priceCap: 1000, feeBps: 100 }); // warm-up
    const auction: number[] = [];
    const sort: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      auction.push(await time(() => clearInterval(book, { priceFloor: 0, priceCap: 1000, feeBps: 100 })));
      sort.push(await time(() => Float64Array.from(book, (o) => o.limitPricePerKwh).sort()));
    }
    const a = median(auction);
    console.log(
      `   ${n.toLocaleString('en')} orders: ${fmt(a)} (floor ${fmt(median(sort))}, ×${(a / median(sort)).toFixed(1)}); target < ${TARGETS.auctionMs} ms: ${a < TARGETS.auctionMs ? 'met' : 'MISSED'}`,
    );
  }

  await bench.start();
  const pool = new pg.Pool({ connectionString: bench.env.DATABASE_URL, max: 10 });
  const gateway = `http://127.0.0.1:${bench.config.ports.gateway}/graphql`;
  const gql = async (
    query: string,
    variables: Record<string, unknown>,
    headers: Record<string, string> = {},
  ) => {
    const res = await fetch(gateway, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: any; errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  const admin = await gql(
    'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken user { id } } }',
    {
      e: BENCH_ADMIN.email,
      p: BENCH_ADMIN.password,
    },
  );
  const auth = { authorization: `Bearer ${admin.login.accessToken}` };
  const community = (
    await gql(
      'mutation($i: CreateCommunityInput!) { createCommunity(input: $i) { id inviteCode } }',
      {
        i: {
          name: 'Bench street',
          timezone: 'UTC',
          intervalMinutes: 15,
          priceFloorPerKwh: 0,
          priceCapPerKwh: 1000,
          feeBps: 100,
        },
      },
      auth,
    )
  ).createCommunity as { id: string; inviteCode: string };
  await gql(
    'mutation($c: String!) { joinCommunity(inviteCode: $c) { id } }',
    { c: community.inviteCode },
    auth,
  );
  const site = (
    await gql(
      'mutation($i: CreateSiteInput!) { createSite(input: $i) { id } }',
      { i: { communityId: community.id, name: 'Bench', latitude: 0, longitude: 0, pvCapacityWp: 10_000 } },
      auth,
    )
  ).createSite.id as string;

  // --- 2. clearing end to end ----------------------------------------------------------------------
  console.log(
    '\n2. Clearing end to end (load, auction, store trades and result), against its database work alone',
  );
  const market = new Market(pool, null, createLogger('bench', 'warn'));
  const adminId = admin.login.user.id as string;
  let interval = Date.UTC(2030, 0, 1);
  for (const n of [10_000, 100_000]) {
    const runs: number[] = [];
    const floors: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      interval += 15 * 60_000;
      const at = new Date(interval).toISOString();
      await pool.query(
        `insert into "market"."order" (id, community_id, interval_start, user_id, site_id, side, energy_wh, limit_price_per_kwh, status, placed_at)
         select gen_random_uuid(), $1, $2, $3, case when i % 2 = 0 then $4::uuid end, case when i % 2 = 0 then 'SELL' else 'BUY' end,
                100 + (i::bigint * 7919) % 5000, 50 + (i::bigint * 104729) % 300, 'OPEN', now() - make_interval(secs => i % 900)
           from generate_series(1, $5) as i`,
        [community.id, at, adminId, site, n],
      );
      await pool.query('analyze "market"."order"');
      runs.push(await time(() => market.clear(community.id, interval)));
      // The floor: reading the book, and writing as many trade rows as this clearing wrote (copies
      // of them, in the database alone, rolled back).
      floors.push(
        await time(async () => {
          const c = await pool.connect();
          try {
            await c.query('begin');
            await c.query(
              `select id, side, energy_wh, limit_price_per_kwh, placed_at, user_id, site_id from "market"."order"
                where community_id = $1 and interval_start = $2 and status = 'OPEN'`,
              [community.id, at],
            );
            await c.query(
              `insert into "market"."trade" select gen_random_uuid(), community_id, interval_start, sell_order_id, buy_order_id,
                 seller_site_id, seller_id, buyer_id, energy_wh, price_per_kwh, gross_amount, fee, seller_amount,
                 null, null, null, null, status, created_at
                 from "market"."trade" where community_id = $1 and interval_start = $2`,
              [community.id, at],
            );
            await c.query('rollback');
          } finally {
            c.release();
          }
        }),
      );
    }
    const e = median(runs);
    console.log(
      `   ${n.toLocaleString('en')} orders: ${fmt(e)} (database floor ${fmt(median(floors))}, ×${(e / median(floors)).toFixed(1)}); target < ${TARGETS.endToEndMs} ms: ${e < TARGETS.endToEndMs ? 'met' : 'MISSED'}`,
    );
  }

  // --- 3. readings ---------------------------------------------------------------------------------
  const meters: { id: string; key: string }[] = [];
  for (let i = 0; i < METERS; i++) {
    const m = await gql(
      'mutation($s: ID!, $n: String!) { registerMeter(siteId: $s, kind: BIDIRECTIONAL, serial: $n) { deviceKey meter { id } } }',
      { s: site, n: `BENCH-${i}-${randomUUID().slice(0, 8)}` },
      auth,
    );
    meters.push({ id: m.registerMeter.meter.id, key: m.registerMeter.deviceKey });
  }
  // Each meter reports once a minute, from a day back: batches are consecutive, registers rising.
  const origin = Date.now() - 30 * 24 * 3600_000;
  const cursor = new Map(meters.map((m) => [m.id, 0]));
  const nextReadings = (meterId: string, count: number) => {
    const from = cursor.get(meterId)!;
    cursor.set(meterId, from + count);
    return Array.from({ length: count }, (_, k) => {
      const i = from + k;
      return { timestamp: new Date(origin + i * 60_000).toISOString(), importWh: i * 3, exportWh: i * 5 };
    });
  };
  const SUBMIT =
    'mutation($m: ID!, $r: [MeterReadingInput!]!) { submitMeterReadings(meterId: $m, readings: $r) { accepted rejected { reason } } }';
  console.log(
    `\n3. Readings ingested per second by the energy-trading subgraph (${METERS} meters, ${SECONDS} s each)`,
  );
  const graphqlRate = await (async () => {
    let accepted = 0;
    const deadline = performance.now() + SECONDS * 1000;
    const t0 = performance.now();
    await Promise.all(
      meters.map(async (m) => {
        while (performance.now() < deadline) {
          const d = await gql(SUBMIT, { m: m.id, r: nextReadings(m.id, BATCH) }, { 'x-meter-key': m.key });
          accepted += d.submitMeterReadings.accepted;
        }
      }),
    );
    return accepted / ((performance.now() - t0) / 1000);
  })();

  const metric = async () => {
    const text = await (await fetch(`http://127.0.0.1:${bench.config.ports.energy}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith('gridledger_mqtt_readings_total{') && l.includes('outcome="accepted"'));
    return line ? Number(line.split(' ').at(-1)) : 0;
  };
  const mqttRate = await (async () => {
    const client = await mqtt.connectAsync(MQTT_URL, { reconnectPeriod: 0 });
    const before = await metric();
    const hashes = new Map(meters.map((m) => [m.id, hashDeviceKey(m.key)]));
    const perMeter = Math.ceil((SECONDS * 1000) / MQTT_BATCH / 10) * 10; // about as many as GraphQL's run
    const messages: { topic: string; payload: string }[] = [];
    for (let k = 0; k < perMeter; k++)
      for (const m of meters) {
        const body = JSON.stringify({ readings: nextReadings(m.id, MQTT_BATCH) });
        messages.push({
          topic: `gridledger/meters/${m.id}/readings`,
          payload: JSON.stringify({ body, signature: signReadings(hashes.get(m.id)!, body) }),
        });
      }
    const expected = messages.length * MQTT_BATCH;
    const t0 = performance.now();
    for (const msg of messages) await client.publishAsync(msg.topic, msg.payload, { qos: 1 });
    // Until all are stored, or none more for 3 s (the broker dropped some: reported).
    let got = 0;
    let lastGrowth = performance.now();
    let doneAt = performance.now();
    while (got < expected && performance.now() - lastGrowth < 3000) {
      await new Promise((r) => setTimeout(r, 50));
      const now = (await metric()) - before;
      if (now > got) [got, lastGrowth, doneAt] = [now, performance.now(), performance.now()];
    }
    await client.endAsync();
    if (got < expected)
      console.log(
        `   MQTT: ${expected - got} of ${expected} readings were not stored (dropped by the broker?)`,
      );
    return got / ((doneAt - t0) / 1000);
  })();

  // The floor: the same number of rows per statement inserted straight into a table of the same shape.
  const floorRate = await (async () => {
    await pool.query(
      'create unlogged table "market"."bench_floor" (meter_id uuid, ts timestamptz, import_wh bigint, export_wh bigint, primary key (meter_id, ts))',
    );
    let rows = 0;
    const deadline = performance.now() + SECONDS * 1000;
    const t0 = performance.now();
    let i = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (performance.now() < deadline) {
          const meter = randomUUID();
          const base = i++ * BATCH;
          await pool.query(
            `insert into "market"."bench_floor" select $1, to_timestamp(($2 + g) * 60), g * 3, g * 5 from generate_series(1, $3) g`,
            [meter, base, BATCH],
          );
          rows += BATCH;
        }
      }),
    );
    return rows / ((performance.now() - t0) / 1000);
  })();
  const line = (door: string, rate: number) =>
    console.log(
      `   ${door}: ${Math.round(rate).toLocaleString('en')} readings/s (×${(rate / floorRate).toFixed(2)} of the floor); target ≥ ${TARGETS.readingsPerSecond.toLocaleString('en')}: ${rate >= TARGETS.readingsPerSecond ? 'met' : 'MISSED'}`,
    );
  line(`GraphQL, batches of ${BATCH}`, graphqlRate);
  line(`MQTT, messages of ${MQTT_BATCH}`, mqttRate);
  console.log(
    `   floor (plain INSERT of ${BATCH} rows, 8 in parallel): ${Math.round(floorRate).toLocaleString('en')} rows/s`,
  );
  await pool.end();
} finally {
  await bench.cleanUp();
}
