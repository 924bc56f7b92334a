import type { EntityManager } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import type { Logger } from '../../../lib/logger.js';
import {
  decodeBatch,
  describeFrame,
  messageLogKey,
  type LoggedFrame,
} from '../../../lib/ocpp-message-log.js';

const DAY_MS = 86_400_000;
const partitionName = (day: Date) => `ocpp_message_p${day.toISOString().slice(0, 10).replaceAll('-', '')}`;

/**
 * Keeps the OCPP message log's daily partitions: yesterday to the day after tomorrow exist; days older
 * than the retention are dropped whole (no row-by-row deletes), and so are the oldest days while the
 * log is larger than `maxBytes` (today's is never dropped: the bound holds to within one day's frames).
 * Returns the partitions dropped.
 */
export async function maintainMessageLogPartitions(
  em: EntityManager,
  retentionDays: number,
  now = new Date(),
  maxBytes = Number.POSITIVE_INFINITY,
) {
  const today = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS);
  for (let d = -1; d <= 2; d++) {
    const from = new Date(today.getTime() + d * DAY_MS);
    const to = new Date(from.getTime() + DAY_MS);
    await em.execute(
      `create table if not exists "station"."${partitionName(from)}" partition of "station"."ocpp_message"
         for values from ('${from.toISOString()}') to ('${to.toISOString()}')`,
    );
  }
  const oldest = new Date(today.getTime() - retentionDays * DAY_MS);
  const parts = await em.execute<{ name: string; bytes: string }[]>(
    `select c.relname as name, pg_total_relation_size(c.oid)::bigint as bytes from pg_inherits i
       join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent
       join pg_namespace n on n.oid = p.relnamespace
      where n.nspname = 'station' and p.relname = 'ocpp_message' order by c.relname`,
  );
  let total = parts.reduce((sum, p) => sum + Number(p.bytes), 0);
  const dropped: string[] = [];
  // Oldest first (the names sort by day).
  for (const { name, bytes } of parts) {
    const m = /^ocpp_message_p(\d{4})(\d{2})(\d{2})$/.exec(name);
    if (!m) continue;
    const day = new Date(`${m[1]}-${m[2]}-${m[3]}T00:00:00Z`);
    if (day < oldest || (total > maxBytes && day < today)) {
      await em.execute(`drop table "station"."${name}"`);
      dropped.push(name);
      total -= Number(bytes);
    }
  }
  return dropped;
}

/**
 * Stores what the bridges ship (lib/ocpp-message-log.ts): pops batches from Redis, types each frame and
 * names the action of replies after the call they answer (remembered per charger and message id for
 * the last 50,000 calls), and inserts each batch in one statement. Partitions are kept hourly.
 */
export function storeMessageLog(deps: {
  em: () => EntityManager;
  /** A connection of its own: it blocks waiting for batches. */
  redis: Redis;
  prefix: string;
  retentionDays: number;
  /** The most bytes the log may take (whole days are dropped, oldest first, beyond it). */
  maxBytes: number;
  logger: Logger;
}) {
  const key = messageLogKey(deps.prefix);
  const actions = new Map<string, string>();
  let running = true;
  let maintained = 0;

  async function maintain() {
    const dropped = await maintainMessageLogPartitions(
      deps.em(),
      deps.retentionDays,
      new Date(),
      deps.maxBytes,
    );
    if (dropped.length) deps.logger.info({ dropped }, 'message log: days past retention dropped');
    maintained = Date.now();
  }

  async function store(batch: string) {
    const frames = decodeBatch(batch);
    // At most 4,000 frames a statement (7 parameters each; Postgres takes 65,535).
    for (let i = 0; i < frames.length; i += 4000) await insertFrames(frames.slice(i, i + 4000));
  }

  async function insertFrames(frames: LoggedFrame[]) {
    const rows: unknown[] = [];
    for (const f of frames) {
      const { type, messageId, action } = describeFrame(f.frame);
      // Calls come from both sides (chargers' requests, the platform's commands): a reply's action is
      // its call's, from the other direction.
      const callKey = `${f.identity}|${f.outbound ? 'i' : 'o'}|${messageId}`;
      let named = action;
      if (type === 'CALL') {
        actions.set(`${f.identity}|${f.outbound ? 'o' : 'i'}|${messageId}`, action ?? '');
        if (actions.size > 50_000) actions.delete(actions.keys().next().value!);
      } else if (messageId) {
        named = actions.get(callKey) || null;
        actions.delete(callKey);
      }
      // Postgres text holds no NUL character.
      const frame = f.frame.includes('\u0000') ? f.frame.replaceAll('\u0000', '\uFFFD') : f.frame;
      rows.push(f.identity, new Date(f.at), f.outbound ? 'OUT' : 'IN', type, messageId, named, frame);
    }
    if (!frames.length) return;
    const values = frames.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ');
    const insert = () =>
      deps
        .em()
        .execute(
          `insert into "station"."ocpp_message" (charger_identity, at, direction, message_type, message_id, action, frame) values ${values}`,
          rows,
        );
    try {
      await insert();
    } catch (err) {
      // A day without its partition yet (the hourly upkeep had not run): make it, then once more.
      if (!/no partition/i.test(String((err as Error).message))) throw err;
      await maintain();
      await insert();
    }
  }

  const done = (async () => {
    await maintain().catch((err: unknown) => deps.logger.error({ err }, 'message log: partitions not kept'));
    while (running) {
      try {
        if (Date.now() - maintained > 3_600_000) await maintain();
        const popped = await deps.redis.blpop(key, 1);
        if (popped) await store(popped[1]);
      } catch (err) {
        if (!running) break;
        deps.logger.warn({ err }, 'message log: a batch was not stored');
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  })();

  return {
    close: async () => {
      running = false;
      deps.redis.disconnect();
      await done;
    },
  };
}
