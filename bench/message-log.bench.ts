/**
 * The OCPP message log's storing side: how many frames a second one station subgraph process stores
 * (Redis batches → one multi-row INSERT each, into the daily partitions), against what the bridge ships
 * at the bench:ocpp load (15,000 chargers, one message every 10 s: 1,500 messages, 3,000 frames a second).
 *
 *   npm run bench:message-log -- [--frames 300000] [--batch 3000]
 *
 * Frames are realistic (a MeterValues call and its reply, alternating over 15,000 identities); batches of
 * `--batch` frames stand for one second of the bridge's shipping. Uses a database of its own on
 * DATABASE_URL's server (default: the local one) and drops it afterwards.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { EntityManager } from '@mikro-orm/postgresql';
import { createOrm } from '../lib/db.js';
import { createLogger } from '../lib/logger.js';
import { encodeFrame, messageLogKey } from '../lib/ocpp-message-log.js';
import { createRedis } from '../lib/redis.js';
import { migrations } from '../subgraphs/station/migrations/index.js';
import { STATION_SCHEMA, stationEntities } from '../subgraphs/station/index.js';
import { storeMessageLog } from '../subgraphs/station/services/message-log.service.js';

const { values } = parseArgs({
  options: { frames: { type: 'string', default: '300000' }, batch: { type: 'string', default: '3000' } },
});
const FRAMES = Number(values.frames);
const BATCH = Number(values.batch);
const name = `bench_message_log_${Date.now().toString(36)}`;
const server = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const databaseUrl = Object.assign(new URL(server), { pathname: `/${name}` }).toString();
const prefix = `bench-mlog-${Date.now().toString(36)}`;
const logger = createLogger('bench', 'warn');

const orm = await createOrm({
  databaseUrl,
  schema: STATION_SCHEMA,
  entities: stationEntities,
  migrations,
  logger,
});
const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', logger);
const key = messageLogKey(prefix);

// The batches, made before the clock starts.
const now = Date.now();
const batches: string[] = [];
for (let i = 0; i < FRAMES; i += BATCH) {
  const records: string[] = [];
  for (let j = i; j < Math.min(FRAMES, i + BATCH); j++) {
    const identity = `CP-${(j >> 1) % 15_000}`;
    const id = `m${j >> 1}`;
    const frame =
      j % 2 === 0
        ? JSON.stringify([
            2,
            id,
            'MeterValues',
            {
              connectorId: 1,
              transactionId: 7,
              meterValue: [
                {
                  timestamp: new Date(now).toISOString(),
                  sampledValue: [
                    { value: String(j), measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
                  ],
                },
              ],
            },
          ])
        : JSON.stringify([3, id, {}]);
    records.push(encodeFrame(identity, j % 2 === 1, now + j, frame));
  }
  batches.push(records.join(''));
}

const t0 = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
for (let i = 0; i < batches.length; i += 50) await redis.rpush(key, ...batches.slice(i, i + 50));
const store = storeMessageLog({
  em: () => orm.em.fork() as EntityManager,
  redis: createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', logger),
  prefix,
  retentionDays: 7,
  maxBytes: Number.POSITIVE_INFINITY,
  logger,
});
const count = async () =>
  Number(
    (
      await orm.em
        .fork()
        .getConnection()
        .execute<{ n: string }[]>('select count(*) as n from "station"."ocpp_message"')
    )[0]!.n,
  );
let stored = await count();
while (stored < FRAMES) {
  await new Promise((r) => setTimeout(r, 200));
  stored = await count();
}
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu = process.cpuUsage(cpu0);
const named = Number(
  (
    await orm.em
      .fork()
      .getConnection()
      .execute<{ n: string }[]>(
        `select count(*) as n from "station"."ocpp_message" where action = 'MeterValues'`,
      )
  )[0]!.n,
);

const [{ bytes }] = (await orm.em
  .fork()
  .getConnection()
  .execute(
    `select sum(pg_total_relation_size(i.inhrelid))::bigint as bytes from pg_inherits i
       join pg_class p on p.oid = i.inhparent where p.relname = 'ocpp_message'`,
  )) as [{ bytes: string }];
const perFrame = Number(bytes) / stored;

console.log(`
OCPP message log, storing side — one process, Postgres and Redis on this machine's 2 cores
  frames stored          ${stored} in ${seconds.toFixed(1)} s, batches of ${BATCH}
  frames/s               ${(stored / seconds).toFixed(0)}   (the bridge ships 3,000/s at bench:ocpp's 15,000 chargers: ${(stored / seconds / 3000).toFixed(1)}× that)
  replies named          ${named} of ${stored} frames carry their action (calls and replies)
  process CPU per frame  ${((cpu.user + cpu.system) / stored).toFixed(1)} µs (decoding, naming, binding; Postgres's own work not included)
  storage                ${perFrame.toFixed(0)} bytes per frame with its index: ${((perFrame * 3000 * 86_400) / 1e9).toFixed(0)} GB a day at 3,000 frames/s`);

await store.close();
redis.disconnect();
await orm.close();
const admin = new pg.Client({
  connectionString: Object.assign(new URL(server), { pathname: '/postgres' }).toString(),
});
await admin.connect();
await admin.query(`drop database "${name}"`);
await admin.end();
process.exit(0);
