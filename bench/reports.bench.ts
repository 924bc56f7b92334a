/**
 * Reports benchmark, on a platform of its own (user, station and session subgraphs and the gateway):
 * the time to answer `operatorReport` for a year at DAY granularity over 100 stations and one million
 * sessions, through the gateway, against a lower bound measured in the same run — the same two
 * aggregations (status figures and session figures per day) run straight on Postgres.
 *
 * Seeding: stations and chargers through the API; a year of status history (every port: a car
 * plugged in twice a day, a fault now and then) and one million completed sessions written straight
 * into the subgraphs' tables (ingestion has benchmarks of its own); the subgraphs' own rollup jobs
 * then turn them into report figures, and the catch-up time is printed too.
 *
 *   npm run bench:reports -- [--samples 200] [--stations 100] [--sessions 1000000]
 *
 * Everything shares this machine's two cores: figures are for comparison within the run.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { addDays, localDate } from '../lib/time-zones.js';
import { bearer, gql, pool } from './bench-api.js';
import { BENCH_ADMIN, benchPlatform } from './bench-platform.js';

const { values } = parseArgs({
  options: {
    samples: { type: 'string', default: '200' },
    stations: { type: 'string', default: '100' },
    sessions: { type: 'string', default: '1000000' },
  },
});
const SAMPLES = Number(values.samples);
const STATIONS = Number(values.stations);
const SESSIONS = Number(values.sessions);
const TARGET_P99_MS = 200;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

const bench = await benchPlatform(new Set(['user', 'station', 'session', 'gateway']), {
  REPORT_ROLLUP_MS: '500',
});
try {
  await bench.start();
  const url = `http://127.0.0.1:${bench.config.ports.gateway}/graphql`;
  const login = await gql(
    url,
    'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken user { id } } }',
    { e: BENCH_ADMIN.email, p: BENCH_ADMIN.password },
  );
  const auth = bearer(login.login.accessToken);
  const operatorId = login.login.user.id as string;

  console.log(
    `Reports benchmark: ${STATIONS} stations, ${SESSIONS.toLocaleString('en')} sessions over a year`,
  );
  const stationIds: string[] = [];
  await pool(STATIONS, 8, async (i) => {
    const s = await gql(
      url,
      'mutation($i: CreateStationInput!) { createStation(input: $i) { id } }',
      {
        i: {
          name: `Bench ${i}`,
          address: `${i} Bench Street`,
          location: { lat: 52 + i / 1000, lng: 13 },
          timezone: i % 2 ? 'Europe/Berlin' : 'America/New_York',
        },
      },
      auth,
    );
    stationIds.push(s.createStation.id);
    for (let c = 0; c < 2; c++)
      await gql(
        url,
        'mutation($s: ID!, $i: RegisterChargerInput!) { registerCharger(stationId: $s, input: $i) { charger { id } } }',
        {
          s: s.createStation.id,
          i: {
            identity: `BENCH-${i}-${c}-${bench.id}`,
            vendor: 'Bench',
            model: 'B2',
            connectors: [
              { evseId: 1, type: 'CCS2', maxPowerKw: 150 },
              { evseId: 2, type: 'CCS2', maxPowerKw: 150 },
            ],
          },
        },
        auth,
      );
  });

  const db = new pg.Client({ connectionString: bench.env.DATABASE_URL });
  // Dropping the database at clean-up ends this connection too: not an error of the run.
  db.on('error', () => {});
  await db.connect();
  const today = new Date().toISOString().slice(0, 10);
  const yearStart = `${addDays(today, -365)}T00:00:00Z`;
  let t = performance.now();
  // A year of status per port: Available at 00:00, Charging 08:00–10:00 and 17:00–18:30, and on
  // every 13th day a fault 12:00–13:00 (the error code varies).
  await db.query(
    `insert into "station"."connector_status_event" (charger_id, evse_id, connector_id, status, error_code, at)
     select c.charger_id, c.evse_id, c.connector_id, e.status, e.code, d + e.off
       from "station"."connector" c
       cross join generate_series($1::timestamptz, now() - interval '1 hour', interval '1 day') d
       cross join lateral (values ('AVAILABLE', null, interval '0 h'), ('CHARGING', null, interval '8 h'),
         ('AVAILABLE', null, interval '10 h'), ('CHARGING', null, interval '17 h'),
         ('AVAILABLE', null, interval '18 h 30 min')) e(status, code, off)
     union all
     select c.charger_id, c.evse_id, c.connector_id, e.status, e.code, d + e.off
       from "station"."connector" c
       cross join generate_series($1::timestamptz, now() - interval '1 day', interval '13 days') d
       cross join lateral (values ('FAULTED', 'GroundFailure', interval '12 h'), ('AVAILABLE', null, interval '13 h')) e(status, code, off)
     on conflict do nothing`,
    [yearStart],
  );
  await db.query(
    `insert into "station"."report_watermark" (station_id, rolled_until)
     select id, $1::timestamptz from "station"."station" on conflict (station_id) do update set rolled_until = excluded.rolled_until`,
    [yearStart],
  );
  const statusRows = (await db.query(`select count(*)::int as n from "station"."connector_status_event"`))
    .rows[0].n;
  console.log(
    `  status history: ${statusRows.toLocaleString('en')} rows written in ${fmt(performance.now() - t)}`,
  );
  t = performance.now();
  // Sessions spread evenly over the year and the stations: 10–60 kWh, 0.40 a kWh + 0.50.
  await db.query(
    `insert into "session"."charging_session" (id, charger_id, charger_identity, station_id, operator_id,
        transaction_id, evse_id, connector_id, status, started_at, stopped_at, meter_start_wh, meter_stop_wh,
        energy_wh, currency, cost_micros, timezone, created_at)
     select gen_random_uuid(), gen_random_uuid(), 'BENCH', s.id, $2::uuid, 'b' || g, 1, 1, 'COMPLETED', at,
            at + interval '40 min', 0, w, w, 'EUR', (w * 400 + 500000)::bigint, s.tz, now()
       from generate_series(1, $3::int) g
       cross join lateral (select $1::timestamptz + (g::double precision / $3) * interval '365 days' as at,
                                  10000 + ((g::bigint * 7919) % 50000)::int as w) x
       join (select id, row_number() over (order by id) - 1 as n,
                    case when row_number() over (order by id) % 2 = 0 then 'Europe/Berlin' else 'America/New_York' end as tz
               from unnest($4::uuid[]) id) s on s.n = g % $5`,
    [yearStart, operatorId, SESSIONS, stationIds, STATIONS],
  );
  console.log(`  sessions: ${SESSIONS.toLocaleString('en')} rows written in ${fmt(performance.now() - t)}`);

  // The rollup jobs catch up: every mark (session hours, operator periods) is taken and every station
  // is rolled to this hour.
  t = performance.now();
  for (;;) {
    const { rows } = await db.query(
      `select (select count(*)::int from "session"."session_rollup_dirty")
              + (select count(*)::int from "session"."operator_session_rollup_dirty")
              + (select count(*)::int from "station"."operator_rollup_dirty") as marks,
              (select count(*)::int from "station"."report_watermark" where rolled_until < date_trunc('hour', now())) as behind`,
    );
    if (rows[0].marks === 0 && rows[0].behind === 0) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  console.log(`  rollup jobs caught up in ${fmt(performance.now() - t)}\n`);

  const from = addDays(localDate(Date.now(), 'UTC'), -365);
  const to = localDate(Date.now(), 'UTC');
  const QUERY = `query($from: String!, $to: String!, $o: ID) {
    operatorReport(from: $from, to: $to, granularity: DAY, operatorId: $o) {
      rolledUpTo stations { station { id } uptime utilisation meetsTarget }
      buckets { period uptime utilisation downtimeMinutes faults { errorCode count } sessions energyWh revenue { currency amount } } } }`;
  const vars = { from, to, o: operatorId };
  const first = await gql(url, QUERY, vars, auth);
  const buckets = first.operatorReport.buckets as { sessions: number }[];
  const counted = buckets.reduce((n, b) => n + b.sessions, 0);
  console.log(
    `  the report: ${buckets.length} buckets, ${first.operatorReport.stations.length} stations, ${counted.toLocaleString('en')} sessions counted`,
  );
  if (buckets.length < 365 || counted < SESSIONS * 0.99)
    throw new Error('the report does not cover the seeded year');

  // Lower bound: the same reads straight on Postgres (no gateway, no subgraphs, no GraphQL): the
  // operator's day sums of both subgraphs and the per-station totals over the year.
  // A pool, as the subgraphs have: the three reads run at once.
  const floorPool = new pg.Pool({ connectionString: bench.env.DATABASE_URL, max: 3 });
  floorPool.on('error', () => {});
  const floor = async () => {
    const s = performance.now();
    await Promise.all([
      floorPool.query(
        `select label, observed_ms, down_ms, excluded_ms, maintenance_ms, occupied_ms, faults
           from "station"."operator_rollup" where operator_id = $1 and granularity = 'DAY' and label >= $2 and label < $3`,
        [operatorId, from, to],
      ),
      floorPool.query(
        `select station_id, sum(observed_ms), sum(down_ms), sum(excluded_ms), sum(maintenance_ms), sum(occupied_ms)
           from "station"."station_rollup" where operator_id = $1 and granularity = 'DAY' and label >= $2 and label < $3
          group by station_id`,
        [operatorId, from, to],
      ),
      floorPool.query(
        `select label, currency, sum(sessions), sum(energy_wh), sum(revenue_micros) from "session"."operator_session_rollup"
          where operator_id = $1 and granularity = 'DAY' and label >= $2 and label < $3 group by label, currency`,
        [operatorId, from, to],
      ),
    ]);
    return performance.now() - s;
  };
  const api: number[] = [];
  const sql: number[] = [];
  for (let i = 0; i < 10; i++) {
    await gql(url, QUERY, vars, auth);
    await floor();
  } // warm-up
  for (let i = 0; i < SAMPLES; i++) {
    const s = performance.now();
    await gql(url, QUERY, vars, auth);
    api.push(performance.now() - s);
    sql.push(await floor());
  }
  console.log(
    `operatorReport, a year at DAY (${SAMPLES} samples, one at a time, alternating with the floor):`,
  );
  console.log(
    `  through the gateway  p50 ${fmt(pct(api, 50))}  p95 ${fmt(pct(api, 95))}  p99 ${fmt(pct(api, 99))}  max ${fmt(Math.max(...api))}`,
  );
  console.log(
    `  floor (SQL alone)    p50 ${fmt(pct(sql, 50))}  p95 ${fmt(pct(sql, 95))}  p99 ${fmt(pct(sql, 99))}`,
  );
  console.log(`  ratio at p50 ${(pct(api, 50) / pct(sql, 50)).toFixed(1)}×`);
  console.log(`  target p99 < ${TARGET_P99_MS} ms: ${pct(api, 99) < TARGET_P99_MS ? 'met' : 'NOT met'}`);
  await floorPool.end();
  await db.end();
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  await bench.cleanUp();
}
