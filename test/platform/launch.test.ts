import http from 'node:http';
import { createServer, type Server } from 'node:net';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deploymentPath } from '../../lib/chain/contracts.js';
import { rpcChainId } from '../../lib/chain/hardhat-node.js';
import { loadConfig } from '../../lib/config.js';
import {
  ensureRedis,
  launchPlatform,
  LaunchError,
  postgresAnswers,
  startLocalChain,
} from '../../scripts/launch.js';
import { freePortsEnv } from '../../scripts/platform.js';
import { createStation, loginAdmin } from '../support/builders.js';
import { freePort, gql, TEST_ADMIN } from '../support/platform.js';

let dataDir: string;
let env: Record<string, string>;
const network = `test-launch-${Date.now().toString(36)}`;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'gridledger-launch-'));
  // As root the embedded server runs as the postgres user, which must be able to enter the folder.
  await chmod(dataDir, 0o755);
  env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    GRIDLEDGER_ADMIN_EMAIL: TEST_ADMIN.email,
    GRIDLEDGER_ADMIN_PASSWORD: TEST_ADMIN.password,
    GRIDLEDGER_DATA_DIR: dataDir,
    SETTLEMENT_NETWORK: network,
    REDIS_PREFIX: `gltest:launch${Date.now().toString(36)}`,
    ...(await freePortsEnv()),
    CHAIN_PORT: String(await freePort()),
    EMBEDDED_POSTGRES_PORT: String(await freePort()),
    // Nothing answers here: the launcher starts the machine's redis-server on it.
    REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
    PATH: process.env.PATH ?? '',
  };
}, 30_000);
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
  await rm(deploymentPath(network), { force: true });
});

const port = (name: string) => Number(env[name]);

/** True when something accepts TCP connections on the port. */
const listening = (p: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createServer().listen(p, '127.0.0.1');
    socket.once('listening', () => socket.close(() => resolve(false)));
    socket.once('error', () => resolve(true));
  });

it('with DATABASE_URL unset it runs embedded PostgreSQL, starts redis-server and the chain on their configured ports, and keeps data across a restart', async () => {
  const config = loadConfig(env);
  expect(config.embeddedPostgres).not.toBeNull();
  const first = await launchPlatform(config, env, { log: () => {}, stdio: 'ignore' });
  let stationId: string;
  try {
    expect(first.postgres?.dir).toBe(join(dataDir, 'postgres'));
    expect(first.redis?.dir).toBe(join(dataDir, 'redis'));
    expect(await postgresAnswers(config.databaseUrl)).toBe(true);
    // CHAIN_PORT honoured: the node and the contracts are there, not on 8545.
    const rpc = `http://127.0.0.1:${port('CHAIN_PORT')}`;
    expect(await rpcChainId(rpc)).toBe(31337);
    const code = await fetch(rpc, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'eth_getCode',
        params: [first.deployment!.paymentsContract, 'latest'],
      }),
    }).then((r) => r.json() as Promise<{ result: string }>);
    expect(code.result.length).toBeGreaterThan(2);

    const url = `http://127.0.0.1:${port('GATEWAY_PORT')}/graphql`;
    const admin = await loginAdmin(url);
    stationId = (await createStation(url, admin.token, { name: 'Survives restarts' })).id;
  } finally {
    await first.stop();
  }
  // Everything it started is gone.
  expect(await rpcChainId(`http://127.0.0.1:${port('CHAIN_PORT')}`)).toBeNull();
  expect(await postgresAnswers(config.databaseUrl)).toBe(false);
  expect(await listening(port('GATEWAY_PORT'))).toBe(false);
  expect(await listening(Number(new URL(env.REDIS_URL!).port))).toBe(false);

  const second = await launchPlatform(config, env, { log: () => {}, stdio: 'ignore' });
  try {
    expect(second.postgres?.reused).toBe(false);
    const url = `http://127.0.0.1:${port('GATEWAY_PORT')}/graphql`;
    const admin = await loginAdmin(url);
    const r = await gql(
      url,
      'query($id: ID!) { station(id: $id) { name } }',
      { id: stationId },
      { token: admin.token },
    );
    expect(r.data?.station?.name).toBe('Survives restarts');
  } finally {
    await second.stop();
  }
}, 120_000);

it('a start that fails part-way stops the database, Redis and chain it had started', async () => {
  const config = loadConfig(env);
  const squatter: Server = createServer().listen(port('GATEWAY_PORT'), '127.0.0.1');
  await new Promise((r) => squatter.once('listening', r));
  try {
    await expect(launchPlatform(config, env, { log: () => {}, stdio: 'ignore' })).rejects.toThrow(/gateway/);
  } finally {
    squatter.close();
  }
  expect(await rpcChainId(`http://127.0.0.1:${port('CHAIN_PORT')}`)).toBeNull();
  expect(await postgresAnswers(config.databaseUrl)).toBe(false);
  expect(await listening(Number(new URL(env.REDIS_URL!).port))).toBe(false);
  for (const name of ['USER_SUBGRAPH_PORT', 'STATION_SUBGRAPH_PORT', 'SESSION_SUBGRAPH_PORT'])
    expect([name, await listening(port(name))]).toEqual([name, false]);
}, 120_000);

it('as root, a data folder the postgres user cannot enter is refused with what to do, before anything starts', async () => {
  if (process.getuid?.() !== 0) return; // the rule only applies to root
  const closed = await mkdtemp(join(tmpdir(), 'gridledger-closed-'));
  try {
    const config = loadConfig({ ...env, GRIDLEDGER_DATA_DIR: join(closed, 'state') });
    await expect(launchPlatform(config, env, { log: () => {}, stdio: 'ignore' })).rejects.toThrow(
      new RegExp(`cannot enter ${closed}.*DATABASE_URL`),
    );
  } finally {
    await rm(closed, { recursive: true, force: true });
  }
});

it('without Redis and without redis-server it says what is missing and how to get it', async () => {
  const config = loadConfig({ ...env, REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
  const failure = ensureRedis(config, dataDir, () => {}, '/nonexistent');
  await expect(failure).rejects.toBeInstanceOf(LaunchError);
  await expect(failure).rejects.toThrow(
    /no redis-server is installed.*apt-get install redis-server.*docker compose/,
  );
});

it('refuses a CHAIN_PORT that another chain holds instead of deploying to it', async () => {
  const other = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ jsonrpc: '2.0', id: 1, result: '0x7a69' }));
  });
  const chainPort = await freePort();
  await new Promise<void>((r) => other.listen(chainPort, '127.0.0.1', r));
  try {
    const config = loadConfig({ ...env, CHAIN_PORT: String(chainPort) });
    await expect(startLocalChain(config, env)).rejects.toThrow(/already answers JSON-RPC.*CHAIN_PORT/);
  } finally {
    other.close();
  }
});
