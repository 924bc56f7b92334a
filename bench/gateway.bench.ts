/**
 * Gateway benchmark: what the Apollo Gateway costs on top of the subgraphs. Side by side in one run, on
 * a platform of its own (fresh database, own Redis prefix, free ports):
 *
 *   - a station search straight to the station subgraph (with an internal token minted here) and
 *     through the gateway (with a driver's access token, so authentication is exercised);
 *   - the same search plus each station's operator, which spans station → user: through the gateway,
 *     and its station part (`operator { id }`) straight to the station subgraph for reference.
 *
 *   npm run bench:gateway -- [--connections 50] [--duration 10]
 *
 * The load generator (autocannon, in this process), the gateway, the subgraphs and Postgres share this
 * machine's cores: the figures compare the cases with each other, they are not capacity figures.
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import type { Role, Viewer } from '../lib/auth.js';
import { privateKeyFromSeed, privateKeyVariable } from '../lib/signing.js';
import { INTERNAL_TOKEN_HEADER, signInternalToken } from '../lib/tokens.js';
import { BENCH_ADMIN, BENCH_SIGNING_ENV, benchPlatform } from './bench-platform.js';
import { bearer, gql, pool } from './bench-api.js';

const WARM_UP_SECONDS = 3;
/** Throughput through the gateway, as a share of the same query sent straight to the subgraph. */
const TARGET_RATIO = 0.6;
const STATIONS = 200;
/**
 * Stations lie within SPREAD_KM of the centre; the search radius takes them all in, so every search
 * ranks all of them by distance and returns a full page.
 */
const CENTRE = { lat: 52.52, lng: 13.405 };
const SPREAD_KM = 4;
const SEARCH = { lat: 52.53, lng: 13.42, radiusKm: 10 };
const PAGE = 10;
/** Concurrent requests while seeding (argon2 password hashing and inserts, not measured). */
const SEED_CONCURRENCY = 8;

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '50' },
    duration: { type: 'string', default: '10' },
  },
});
const positiveInt = (name: string, raw: string): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, not "${raw}"`);
  return n;
};
const connections = positiveInt('connections', values.connections);
const duration = positiveInt('duration', values.duration);

// ---------------------------------------------------------------------------------------------------
// Platform

// Only the GraphQL processes: the OCPP bridge and the settlement worker play no part in these queries
// and would only take CPU from the two cores. The session subgraph stays, as the gateway's readiness
// check (and the supergraph) expect it.
const { id, database, config, start, cleanUp } = await benchPlatform(
  new Set(['user', 'station', 'session', 'gateway']),
);
const ADMIN = BENCH_ADMIN;
const gatewayUrl = `http://${config.host}:${config.ports.gateway}/graphql`;
const stationUrl = config.subgraphUrls.station;

// ---------------------------------------------------------------------------------------------------
// Seed, through the gateway, as a client would

const AUTH = 'accessToken user { id displayName roles }';
interface Auth {
  accessToken: string;
  user: { id: string; displayName: string; roles: Role[] };
}

const login = (email: string, password: string) =>
  gql<{ login: Auth }>(
    gatewayUrl,
    `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { ${AUTH} } }`,
    { e: email, p: password },
  ).then((d) => d.login);

const register = (email: string, password: string, displayName: string) =>
  gql<{ register: Auth }>(gatewayUrl, `mutation($i: RegisterInput!) { register(input: $i) { ${AUTH} } }`, {
    i: { email, password, displayName },
  }).then((d) => d.register);

/** The point `kmEast` east and `kmNorth` north of the centre (flat-earth approximation, fine at this scale). */
function offset(kmEast: number, kmNorth: number) {
  const kmPerDegLat = 110.574;
  const kmPerDegLng = 111.32 * Math.cos((CENTRE.lat * Math.PI) / 180);
  return { lat: CENTRE.lat + kmNorth / kmPerDegLat, lng: CENTRE.lng + kmEast / kmPerDegLng };
}

/**
 * The admin signs in and makes a registered user an OPERATOR, who creates STATIONS stations spread
 * evenly over a disc (a sunflower spiral) around the centre, each with one charger with one connector.
 * Returns the operator and a driver who does the searching.
 */
async function seed(): Promise<{ operator: Auth; driver: Auth }> {
  const admin = await login(ADMIN.email, ADMIN.password);
  const password = 'bench password 123';
  const registered = await register(`operator-${id}@bench.local`, password, 'Bench Operator');
  await gql(
    gatewayUrl,
    'mutation($u: ID!) { setUserRoles(userId: $u, roles: [OPERATOR]) { id } }',
    { u: registered.user.id },
    bearer(admin.accessToken),
  );
  // Signed in again, so the access token carries the new role.
  const operator = await login(`operator-${id}@bench.local`, password);

  const goldenAngle = Math.PI * (3 - Math.sqrt(5));
  await pool(STATIONS, SEED_CONCURRENCY, async (i) => {
    const r = SPREAD_KM * Math.sqrt((i + 0.5) / STATIONS);
    const station = await gql<{ createStation: { id: string } }>(
      gatewayUrl,
      'mutation($i: CreateStationInput!) { createStation(input: $i) { id } }',
      {
        i: {
          name: `Bench station ${i}`,
          address: `${i} Benchmark Street`,
          location: offset(r * Math.cos(i * goldenAngle), r * Math.sin(i * goldenAngle)),
          timezone: 'Europe/Berlin',
        },
      },
      bearer(operator.accessToken),
    );
    await gql(
      gatewayUrl,
      'mutation($s: ID!, $i: RegisterChargerInput!) { registerCharger(stationId: $s, input: $i) { charger { id } } }',
      {
        s: station.createStation.id,
        i: {
          identity: `BENCH-${id}-${i}`,
          connectors: [{ evseId: 1, type: i % 3 ? 'TYPE2' : 'CCS2', maxPowerKw: i % 3 ? 22 : 150 }],
        },
      },
      bearer(operator.accessToken),
    );
  });

  const driver = await register(`driver-${id}@bench.local`, password, 'Bench Driver');
  return { operator, driver };
}

// ---------------------------------------------------------------------------------------------------
// Cases

const stationsQuery = (operatorFields?: string) =>
  `query BenchStations($near: NearInput!, $first: Int!) {
  stations(near: $near, first: $first) {
    edges { node { id name distanceKm${operatorFields ? ` operator { ${operatorFields} }` : ''} } }
  }
}`;

interface StationsData {
  stations: {
    edges: { node: { id: string; name: string; distanceKm: number; operator?: Record<string, string> } }[];
  };
}

interface Case {
  label: string;
  url: string;
  headers: Record<string, string>;
  query: string;
  /** Throws unless a sampled answer is the one expected. */
  check: (data: StationsData) => void;
}

interface Figures {
  label: string;
  /** Mean of the per-second request counts. */
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  /** Connection errors and timeouts. */
  errors: number;
  /** 2xx answers whose body carried GraphQL `errors` (or no stations). */
  errorBodies: number;
}

/** Checks for a full page, nearest first, within the radius, and each `operator` as expected if given. */
const pageCheck =
  (expectedOperator?: Record<string, string>) =>
  ({ stations }: StationsData): void => {
    const nodes = stations.edges.map((e) => e.node);
    if (nodes.length !== PAGE) throw new Error(`expected ${PAGE} stations, got ${nodes.length}`);
    nodes.forEach((n, i) => {
      if (n.distanceKm > SEARCH.radiusKm || (i > 0 && n.distanceKm < nodes[i - 1]!.distanceKm))
        throw new Error(`stations not nearest first within ${SEARCH.radiusKm} km: ${JSON.stringify(nodes)}`);
      if (expectedOperator && JSON.stringify(n.operator) !== JSON.stringify(expectedOperator))
        throw new Error(`unexpected operator ${JSON.stringify(n.operator)} on ${n.id}`);
    });
  };

const requestBody = (query: string) => JSON.stringify({ query, variables: { near: SEARCH, first: PAGE } });

/** Sends a few requests the way the load will, and fails loudly unless every answer is right. */
async function sample(c: Case): Promise<void> {
  for (let i = 0; i < 3; i++) {
    try {
      c.check(await gql<StationsData>(c.url, c.query, { near: SEARCH, first: PAGE }, c.headers));
    } catch (err) {
      throw new Error(`${c.label}: ${(err as Error).message}`, { cause: err });
    }
  }
}

/** Warms the target up, then loads it for `duration` seconds with `connections` keep-alive connections. */
async function measure(c: Case): Promise<Figures> {
  await sample(c);
  const options: autocannon.Options = {
    url: c.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...c.headers },
    body: requestBody(c.query),
    connections,
    // Under load, every answer is checked too (it is buffered anyway): one carrying GraphQL errors is
    // a 200 that autocannon would otherwise count as a success.
    verifyBody: (b) => typeof b === 'string' && b.includes('"edges"') && !b.includes('"errors"'),
  };
  process.stderr.write(`  ${c.label}: warm-up ${WARM_UP_SECONDS} s, `);
  await autocannon({ ...options, duration: WARM_UP_SECONDS });
  process.stderr.write(`measuring ${duration} s\n`);
  const r = await autocannon({ ...options, duration });
  return {
    label: c.label,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
    errorBodies: r.mismatches,
  };
}

// ---------------------------------------------------------------------------------------------------
// Run

const ms = (n: number) => `${n.toFixed(n < 10 ? 1 : 0)} ms`;
const row = (f: Figures) =>
  [
    `  ${f.label.padEnd(52)}`,
    `${f.rps.toFixed(0).padStart(6)} req/s`,
    `p50 ${ms(f.p50).padStart(7)}`,
    `p99 ${ms(f.p99).padStart(7)}`,
    `non-2xx ${f.non2xx}`,
    `errors ${f.errors}`,
    `error bodies ${f.errorBodies}`,
  ].join('   ');

async function main(): Promise<void> {
  const cores = cpus();
  const since = (t: number) => `${((Date.now() - t) / 1000).toFixed(1)} s`;
  console.log(
    `Gateway benchmark: ${connections} connections, ${WARM_UP_SECONDS} s warm-up + ${duration} s per case ` +
      `(--connections N --duration S)\n  Node ${process.version}, ${cores.length} × ${cores[0]?.model.trim()}`,
  );
  const started = Date.now();
  await start();
  console.log(`  platform up in ${since(started)} (database ${database})`);
  const seeded = Date.now();
  const { operator, driver } = await seed();
  console.log(
    `  seeded ${STATIONS} stations within ${SPREAD_KM} km, one charger with one connector each, in ${since(seeded)}\n` +
      `  query: stations(near: radius ${SEARCH.radiusKm} km, first: ${PAGE}) as a driver, all ${STATIONS} in range`,
  );

  // What the gateway would forward for the driver: same identity, same roles. It outlives the run.
  const viewer: Viewer = { userId: driver.user.id, roles: driver.user.roles, via: 'jwt' };
  const ttl = 4 * (WARM_UP_SECONDS + duration) + 600;
  const internal = {
    [INTERNAL_TOKEN_HEADER]: await signInternalToken(
      privateKeyFromSeed(BENCH_SIGNING_ENV[privateKeyVariable('gateway')]!),
      ttl,
      viewer,
    ),
  };
  const asDriver = bearer(driver.accessToken);

  const cases: Case[] = [
    {
      label: 'station query, direct (station subgraph)',
      url: stationUrl,
      headers: internal,
      query: stationsQuery(),
      check: pageCheck(),
    },
    {
      label: 'station query, through the gateway',
      url: gatewayUrl,
      headers: asDriver,
      query: stationsQuery(),
      check: pageCheck(),
    },
    {
      label: 'station + operator id, direct (station part only)',
      url: stationUrl,
      headers: internal,
      query: stationsQuery('id'),
      check: pageCheck({ id: operator.user.id }),
    },
    {
      label: 'station + operator displayName, through the gateway',
      url: gatewayUrl,
      headers: asDriver,
      query: stationsQuery('displayName'),
      check: pageCheck({ displayName: operator.user.displayName }),
    },
  ];
  // Every case is sampled before any load, so a broken case fails in seconds, not minutes.
  for (const c of cases) await sample(c);

  const results: Figures[] = [];
  for (const c of cases) results.push(await measure(c));
  const [direct, viaGateway, spanDirect, spanGateway] = results as [Figures, Figures, Figures, Figures];
  const ratio = viaGateway.rps / direct.rps;

  console.log(
    [
      '',
      ...results.map(row),
      '',
      `  gateway / direct throughput, station query:      ${ratio.toFixed(2)}   target ≥ ${TARGET_RATIO.toFixed(2)}: ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'}`,
      `  gateway (station → user) / direct station part:  ${(spanGateway.rps / spanDirect.rps).toFixed(2)}`,
      `  spanning / single-subgraph, through the gateway: ${(spanGateway.rps / viaGateway.rps).toFixed(2)}`,
      '',
      `  Caveat: ${cores.length} cores shared by the load generator (autocannon, one thread in this process),`,
      '  the gateway, the user/station/session subgraphs and Postgres (and Redis). Through the gateway, the',
      '  same cores also run the gateway and a second HTTP hop, so the ratio understates what a gateway on',
      '  its own machine would give. Compare cases within a run, not runs across machines.',
    ].join('\n'),
  );

  const failed = results.filter((f) => f.non2xx || f.errors || f.errorBodies);
  if (failed.length) {
    throw new Error(
      `failures under load in: ${failed.map((f) => f.label).join('; ')}. ` +
        'A benchmark of error responses is worthless: look at the platform before reading the figures.',
    );
  }
}

let exitCode = 0;
try {
  await main();
} catch (err) {
  console.error(`\ngateway benchmark failed: ${(err as Error).stack ?? String(err)}`);
  exitCode = 1;
} finally {
  await cleanUp();
}
process.exit(exitCode);
