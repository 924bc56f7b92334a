/**
 * A platform of a benchmark's own: a fresh database on the Postgres server the environment points at
 * (default: the local one), its own Redis prefix and free ports, with only the services the benchmark
 * measures. Cleaned up once however the run ends (also on SIGINT/SIGTERM and after a failed start):
 * the platform stops, its database is dropped and its Redis keys are deleted (BullMQ queue metadata
 * would outlive the run otherwise).
 */
import pg from 'pg';
import { generateSigningEnv } from '../lib/signing.js';
import { loadConfig } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { createRedis } from '../lib/redis.js';
import { freePortsEnv, startPlatform, type RunningPlatform } from '../scripts/platform.js';
import { platformServices } from '../scripts/services.js';

export const BENCH_ADMIN = { email: 'admin@bench.gridledger.local', password: 'bench-only-admin-password-1' };
/** The bench platform's signing keys (its own, as production would have). */
export const BENCH_SIGNING_ENV = generateSigningEnv();

/** `extraEnv`: settings of the benchmark's own (a chain, batch sizes), over the defaults here. */
export async function benchPlatform(services: ReadonlySet<string>, extraEnv: Record<string, string> = {}) {
  const id = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const serverUrl = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/gridledger');
  const database = `gl_bench_${id}`;
  const databaseUrl = Object.assign(new URL(serverUrl), { pathname: `/${database}` }).toString();
  const maintenanceUrl = Object.assign(new URL(serverUrl), { pathname: '/postgres' }).toString();
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PATH: process.env.PATH ?? '',
    // e.g. NODE_OPTIONS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles every platform process.
    ...(process.env.NODE_OPTIONS ? { NODE_OPTIONS: process.env.NODE_OPTIONS } : {}),
    DATABASE_URL: databaseUrl,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `glbench:${id}`,
    ...BENCH_SIGNING_ENV,
    GRIDLEDGER_ADMIN_EMAIL: BENCH_ADMIN.email,
    GRIDLEDGER_ADMIN_PASSWORD: BENCH_ADMIN.password,
    // The load comes from one user (one IP), which real limits would throttle. Limits too high to
    // reach, rather than 0 (off), keep the limiter's Redis round trip in every gateway operation.
    RATE_LIMIT_USER_PER_MINUTE: '1000000000',
    RATE_LIMIT_ANONYMOUS_PER_MINUTE: '1000000000',
    RATE_LIMIT_REGISTRATIONS_PER_HOUR: '1000000000',
    // The same for the query cost budget (its Redis round trip stays in every operation too).
    COST_BUDGET_PER_MINUTE: '1000000000000',
    ...(await freePortsEnv()),
    ...extraEnv,
  };
  const config = loadConfig(env);
  let platform: RunningPlatform | undefined;
  let cleaning: Promise<void> | undefined;

  const cleanUp = (): Promise<void> => {
    cleaning ??= (async () => {
      await platform?.stop();
      const client = new pg.Client({ connectionString: maintenanceUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists "${database}" with (force)`);
      } finally {
        await client.end();
      }
      const redis = createRedis(env.REDIS_URL!, createLogger('bench', 'warn'));
      try {
        for await (const keys of redis.scanStream({ match: `${env.REDIS_PREFIX}:*`, count: 500 })) {
          if ((keys as string[]).length) await redis.del(...(keys as string[]));
        }
      } finally {
        redis.disconnect();
      }
    })();
    return cleaning;
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the platform and dropping ${database}`);
      void cleanUp().finally(() => process.exit(130));
    });
  }

  return {
    id,
    database,
    env,
    config,
    /** Starts the chosen processes (compiled, from dist/); LOG_LEVEL=silent, but a crash shows here. */
    start: async () => {
      platform = await startPlatform({
        env,
        services: platformServices(config).filter((s) => services.has(s.name)),
        stdio: 'inherit',
        log: (line) => console.error(line),
      });
    },
    cleanUp,
  };
}
