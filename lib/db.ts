import pg from 'pg';
import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { ReflectMetadataProvider } from '@mikro-orm/decorators/legacy';
import { Migrator } from '@mikro-orm/migrations';
import type { Logger } from './logger.js';

export type Orm = MikroORM;

/**
 * Runs `work` in one transaction on a client of `pool` (the ORM's own pool, for bulk SQL): commits
 * when it resolves, rolls back when it throws.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** Creates the database named in `url` if it does not exist yet (a fresh machine has none). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`Unsupported database name in DATABASE_URL: ${name}`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`create database "${name}"`).catch((err: { code?: string }) => {
        if (err.code !== '42P04') throw err; // created concurrently by another process
      });
    }
  } finally {
    await client.end();
  }
}

export interface OrmOptions {
  databaseUrl: string;
  /** The Postgres schema this service owns; tables and the migrations table live there. */
  schema: string;
  entities: NonNullable<Options['entities']>;
  migrations: NonNullable<NonNullable<Options['migrations']>['migrationsList']>;
  logger: Logger;
  poolSize?: number;
}

/**
 * Opens the ORM for one service: makes sure the database and the service's schema exist and applies
 * the service's migrations (each in one transaction, all or nothing). Run one instance first when
 * deploying a new migration; later instances find it applied.
 */
export async function createOrm(opts: OrmOptions): Promise<Orm> {
  if (!/^[a-z_]+$/.test(opts.schema)) throw new Error(`Unsupported schema name ${opts.schema}`);
  await ensureDatabase(opts.databaseUrl);
  const orm = await MikroORM.init({
    clientUrl: opts.databaseUrl,
    schema: opts.schema,
    entities: opts.entities,
    metadataProvider: ReflectMetadataProvider,
    extensions: [Migrator],
    migrations: {
      migrationsList: opts.migrations,
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
    },
    pool: { min: 0, max: opts.poolSize ?? 10 },
    discovery: { warnWhenNoEntities: false },
    logger: (message) => opts.logger.debug({ orm: true }, message),
  });
  const conn = orm.em.getConnection();
  await conn.execute(`create schema if not exists "${opts.schema}"`);
  const applied = await orm.migrator.up();
  if (applied.length) opts.logger.info({ migrations: applied.map((m) => m.name) }, 'migrations applied');
  return orm;
}
