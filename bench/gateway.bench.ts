/**
 * Gateway benchmark: the same station query straight to the station subgraph (with a minted internal
 * token) and through the gateway (with a driver's access token), and a query spanning station + user
 * through the gateway — side by side in one run, on a platform of its own (fresh database).
 *
 *   npm run bench:gateway -- [--connections 50] [--duration 10]
 *
 * The load generator (autocannon, in this process), the gateway, the subgraphs and Postgres share
 * this machine's 2 cores: figures are for comparison, not capacity planning.
 */
import { parseArgs } from 'node:util';
import { createServer } from 'node:net';
import autocannon from 'autocannon';
import pg from 'pg';
import { loadConfig } from '../lib/config.js';
import { signInternalToken } from '../lib/tokens.js';
import { startPlatform } from '../scripts/platform.js';
import { platformServices } from '../scripts/services.js';

const { values } = parseArgs({
  options: { connections: { type: 'string', default: '50' }, duration: { type: 'string', default: '10' } },
});
const connections = Number(values.connections);
const duration = Number(values.duration);

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

const id = Date.now().toString(36);
const database = `gl_bench_${id}`;
const admin = { email: 'admin@bench.gridledger.local', password: 'bench-admin-password-1' };
const env: Record<string, string> = {
  ...(process.env as Record<string, string>),
  NODE_ENV: 'test',
  LOG_LEVEL: 'warn',
  DATABASE_URL: `postgresql://postgres@127.0.0.1:5432/${database}`,
  REDIS_PREFIX: `glbench:${id}`,
  JWT_SECRET: 'bench-only-jwt-secret-0123456789abcdefghij',
  INTERNAL_TOKEN_SECRET: 'bench-only-internal-secret-0123456789abcd',
  GRIDLEDGER_ADMIN_EMAIL: admin.email,
  GRIDLEDGER_ADMIN_PASSWORD: admin.password,
  // Rate limits would throttle the benchmark itself.
  RATE_LIMIT_USER_PER_MINUTE: '0',
  RATE_LIMIT_ANONYMOUS_PER_MINUTE: '0',
  GATEWAY_PORT: String(await freePort()),
  USER_SUBGRAPH_PORT: String(await freePort()),
  STATION_SUBGRAPH_PORT: String(await freePort()),
  SESSION_SUBGRAPH_PORT: String(await freePort()),
  OCPP_PORT: String(await freePort()),
  SETTLEMENT_WORKER_PORT: String(await freePort()),
};
const config = loadConfig(env);
const platform = await startPlatform({
  env,
  services: platformServices(config),
  stdio: 'inherit',
  log: () => {},
});
const gatewayUrl = `http://127.0.0.1:${config.ports.gateway}/graphql`;

async function gql(url: string, query: string, variables: object, headers: Record<string, string>) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(`benchmark query failed: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** Seeds data, then measures the three cases and prints them. */
async function measure() {
  // Seed: an operator with 200 stations around Berlin, each with a charger; a driver who queries.
  const login = async (e: string, p: string): Promise<string> =>
    (
      await gql(
        gatewayUrl,
        'mutation($e:String!,$p:String!){login(email:$e,password:$p){accessToken}}',
        { e, p },
        {},
      )
    ).login.accessToken;
  const adminToken = await login(admin.email, admin.password);
  const register = (email: string) =>
    gql(
      gatewayUrl,
      'mutation($i: RegisterInput!) { register(input: $i) { accessToken user { id } } }',
      { i: { email, password: 'bench password 123', displayName: email.split('@')[0] } },
      {},
    ).then((d) => d.register);
  const operator = await register(`operator-${id}@bench.local`);
  await gql(
    gatewayUrl,
    'mutation($u:ID!){setUserRoles(userId:$u, roles:[OPERATOR]){id}}',
    { u: operator.user.id },
    { authorization: `Bearer ${adminToken}` },
  );
  const operatorToken = await login(`operator-${id}@bench.local`, 'bench password 123');
  for (let i = 0; i < 200; i++) {
    const s = await gql(
      gatewayUrl,
      'mutation($i: CreateStationInput!) { createStation(input: $i) { id } }',
      {
        i: {
          name: `Bench ${i}`,
          address: `Street ${i}`,
          location: { lat: 52.52 + (i % 20) * 0.005, lng: 13.405 + Math.floor(i / 20) * 0.008 },
          timezone: 'Europe/Berlin',
        },
      },
      { authorization: `Bearer ${operatorToken}` },
    );
    await gql(
      gatewayUrl,
      'mutation($s: ID!, $i: RegisterChargerInput!) { registerCharger(stationId: $s, input: $i) { charger { id } } }',
      {
        s: s.createStation.id,
        i: { identity: `BENCH-${id}-${i}`, connectors: [{ evseId: 1, type: 'CCS2', maxPowerKw: 150 }] },
      },
      { authorization: `Bearer ${operatorToken}` },
    );
  }
  const driver = await register(`driver-${id}@bench.local`);

  const STATION_QUERY = `{ stations(near: { lat: 52.55, lng: 13.44, radiusKm: 5 }, first: 10) { edges { node { id name distanceKm } } } }`;
  const SPANNING_QUERY = `{ stations(near: { lat: 52.55, lng: 13.44, radiusKm: 5 }, first: 10) { edges { node { id name distanceKm operator { displayName } } } } }`;
  const internal = await signInternalToken(env.INTERNAL_TOKEN_SECRET!, 3600, {
    userId: driver.user.id,
    roles: [],
    via: 'jwt',
  });
  const direct = { url: config.subgraphUrls.station, headers: { 'x-gridledger-internal': internal } };
  const viaGateway = { url: gatewayUrl, headers: { authorization: `Bearer ${driver.accessToken}` } };

  interface Figures {
    label: string;
    rps: number;
    p50: number;
    p99: number;
    non2xx: number;
    errors: number;
  }

  async function run(
    label: string,
    target: { url: string; headers: Record<string, string> },
    query: string,
  ): Promise<Figures> {
    // Fail loudly if the case answers errors: a benchmark of error responses is worthless.
    const sample = await gql(target.url, query, {}, target.headers);
    if (!sample.stations.edges.length) throw new Error(`${label}: the query found no stations`);
    const options = {
      url: target.url,
      method: 'POST' as const,
      headers: { 'content-type': 'application/json', ...target.headers },
      body: JSON.stringify({ query }),
      connections,
    };
    await autocannon({ ...options, duration: 3 }); // warm-up
    const r = await autocannon({ ...options, duration });
    return {
      label,
      rps: r.requests.average,
      p50: r.latency.p50,
      p99: r.latency.p99,
      non2xx: r.non2xx,
      errors: r.errors,
    };
  }

  const results = [
    await run('station query, direct to the station subgraph', direct, STATION_QUERY),
    await run('station query, through the gateway', viaGateway, STATION_QUERY),
    await run('station + user query, through the gateway', viaGateway, SPANNING_QUERY),
  ];
  const line = (f: Figures) =>
    `  ${f.label.padEnd(50)} ${f.rps.toFixed(0).padStart(6)} req/s   p50 ${String(f.p50).padStart(4)} ms   p99 ${String(f.p99).padStart(4)} ms   non-2xx ${f.non2xx}   errors ${f.errors}`;
  console.log(`
Gateway benchmark — ${connections} connections, ${duration} s per case after 3 s warm-up; load generator,
gateway, subgraphs and Postgres share this machine's 2 cores.
${results.map(line).join('\n')}
  gateway / direct throughput (single subgraph): ${(results[1]!.rps / results[0]!.rps).toFixed(2)}   (target ≥ 0.60)
  spanning / single through the gateway:         ${(results[2]!.rps / results[1]!.rps).toFixed(2)}`);
}

try {
  await measure();
} finally {
  await platform.stop();
}
const client = new pg.Client({ connectionString: 'postgresql://postgres@127.0.0.1:5432/postgres' });
await client.connect();
await client.query(`drop database if exists "${database}" with (force)`);
await client.end();
process.exit(0);
