import { request } from 'node:http';
import pg from 'pg';
import { loadConfig, type Config } from '../../lib/config.js';
import { generateSigningEnv } from '../../lib/signing.js';
import { freePort, freePortsEnv, startPlatform, type RunningPlatform } from '../../scripts/platform.js';
import { platformServices } from '../../scripts/services.js';

export { freePort };

export const TEST_ADMIN = { email: 'admin@test.gridledger.local', password: 'test-admin-password-1' };

export interface TestPlatform {
  config: Config;
  env: Record<string, string>;
  gatewayUrl: string;
  platform: RunningPlatform;
  stop: () => Promise<void>;
}

/**
 * Starts the real platform (compiled processes) against a fresh database and its own Redis prefix,
 * on free ports. Each test file gets its own, so files can run in parallel.
 */
export async function startTestPlatform(
  extraEnv: Record<string, string> = {},
  opts: { output?: (service: string, line: string) => void } = {},
): Promise<TestPlatform> {
  const id = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
  const database = `gl_test_${id}`;
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: `postgresql://postgres@127.0.0.1:5432/${database}`,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `gltest:${id}`,
    // Suites register many accounts from one address; the limit has a test of its own.
    RATE_LIMIT_REGISTRATIONS_PER_HOUR: '10000',
    // Keys of its own (not the development ones), through the same variables production uses.
    ...generateSigningEnv(),
    GRIDLEDGER_ADMIN_EMAIL: TEST_ADMIN.email,
    GRIDLEDGER_ADMIN_PASSWORD: TEST_ADMIN.password,
    ...(await freePortsEnv()),
    PATH: process.env.PATH ?? '',
    ...extraEnv,
  };
  const config = loadConfig(env);
  const platform = await startPlatform({
    env,
    services: platformServices(config),
    stdio: process.env.TEST_LOG_LEVEL ? 'inherit' : 'ignore',
    output: opts.output,
    log: () => {},
  });
  return {
    config,
    env,
    platform,
    gatewayUrl: `http://127.0.0.1:${config.ports.gateway}/graphql`,
    stop: async () => {
      await platform.stop();
      const client = new pg.Client({ connectionString: 'postgresql://postgres@127.0.0.1:5432/postgres' });
      await client.connect();
      await client.query(`drop database if exists "${database}" with (force)`);
      await client.end();
    },
  };
}

export interface GqlResult<T = Record<string, any>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
}

/** Posts one GraphQL operation. */
export async function gql<T = Record<string, any>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  opts: { token?: string; headers?: Record<string, string> } = {},
): Promise<GqlResult<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...opts.headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, ...((await res.json()) as object) };
}

/** Posts one GraphQL operation from another local address (127.0.0.x), as a second client machine. */
export function gqlFrom<T = Record<string, any>>(
  localAddress: string,
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GqlResult<T>> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', localAddress, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ...JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ query, variables }));
  });
}

/** Limits count per clock minute: start a burst well inside one, so that it is not split over two. */
export async function awayFromMinuteBoundary() {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 57_000) await new Promise((r) => setTimeout(r, 60_500 - intoMinute));
}

/** The error code of the first error, for compact assertions. */
export const codeOf = (r: GqlResult) => r.errors?.[0]?.extensions?.code;

/** Asserts that nothing resembling a stack trace or internal detail reached the client. */
export function expectNoInternals(r: GqlResult) {
  const text = JSON.stringify(r);
  if (/stacktrace|\bat .+\.(js|ts):\d+|node_modules|\/work\//.test(text)) {
    throw new Error(`response leaks internals: ${text}`);
  }
}
