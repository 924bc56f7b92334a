import type pg from 'pg';
import { inTransaction } from '../../../lib/db.js';
import { intervalMs, toMs } from './intervals.js';

/**
 * Meter readings: cumulative registers (`importWh`, `exportWh`, whole Wh) at timestamps, stored raw
 * in `market.reading` (partitioned by month) and as energy per market interval in
 * `market.interval_energy` (the rule is in Migration20261201000300). Both doors (GraphQL, MQTT)
 * come through `ingest`, which works on whole batches, many meters at once, in a fixed number of
 * queries per batch.
 *
 * Per reading, in timestamp order within its meter:
 * - a reading already stored with the same timestamp and registers is a duplicate (idempotence);
 *   with other registers it is rejected;
 * - a register below the one stored (or accepted) before it, or above the one stored after it, is
 *   rejected ("went backwards"); the rest of the batch is kept;
 * - a reading for an interval whose delivery has been checked is stored but flagged `late`.
 */
export interface IncomingReading {
  meterId: string;
  /** ms since epoch */
  ts: number;
  importWh: number;
  exportWh: number;
}

export type ReadingOutcome =
  { status: 'ACCEPTED'; late: boolean } | { status: 'DUPLICATE' } | { status: 'REJECTED'; reason: string };

export interface MeterInfo {
  meterId: string;
  communityId: string;
  intervalMinutes: number;
  /** Intervals before this have been checked for delivery: readings for them are late. */
  deliveredThrough: number | null;
}

/** Readings may be ahead of the platform's clock by this much (meter clocks drift). */
const MAX_CLOCK_AHEAD_MS = 5 * 60_000;
const EARLIEST = Date.UTC(2000, 0, 1);

interface Stored {
  ts: number;
  importWh: bigint;
  exportWh: bigint;
}

const monthOf = (ts: number) => {
  const d = new Date(ts);
  return { y: d.getUTCFullYear(), m: d.getUTCMonth() };
};

/** A reading's fields, checked before anything is stored: null when fine, else the reason. */
export function readingProblem(r: IncomingReading, now = Date.now()): string | null {
  if (!Number.isFinite(r.ts)) return 'timestamp is not a valid date';
  if (r.ts > now + MAX_CLOCK_AHEAD_MS) return 'timestamp is in the future';
  if (r.ts < EARLIEST) return 'timestamp is before 2000';
  for (const field of ['importWh', 'exportWh'] as const) {
    const v = r[field];
    if (!Number.isSafeInteger(v) || v < 0) return `${field} must be a non-negative integer (Wh)`;
  }
  return null;
}

export class ReadingStore {
  private readonly partitions = new Set<string>();

  constructor(private readonly pool: pg.Pool) {}

  /** Creates the monthly partitions that readings at these timestamps need (once per process). */
  async ensurePartitions(timestamps: Iterable<number>): Promise<void> {
    for (const ts of timestamps) {
      const { y, m } = monthOf(ts);
      const name = `reading_y${y}m${String(m + 1).padStart(2, '0')}`;
      if (this.partitions.has(name)) continue;
      const from = new Date(Date.UTC(y, m, 1)).toISOString();
      const to = new Date(Date.UTC(y, m + 1, 1)).toISOString();
      await this.pool
        .query(
          `create table if not exists "market"."${name}" partition of "market"."reading" for values from ('${from}') to ('${to}')`,
        )
        .catch((err: { code?: string }) => {
          // Another instance created it at the same moment.
          if (err.code !== '42P07' && err.code !== '23505') throw err;
        });
      this.partitions.add(name);
    }
  }

  /** Where each meter belongs (community, interval length, how far delivery has been checked). */
  async meters(ids: string[]): Promise<Map<string, MeterInfo>> {
    const { rows } = await this.pool.query<{
      meter_id: string;
      community_id: string;
      interval_minutes: number;
      delivered_through: Date | string | null;
    }>(
      `select m.id as meter_id, c.id as community_id, c.interval_minutes, c.delivered_through
         from "market"."meter" m join "market"."site" s on s.id = m.site_id
         join "market"."community" c on c.id = s.community_id
        where m.id = any($1::uuid[])`,
      [ids],
    );
    return new Map(
      rows.map((r) => [
        r.meter_id,
        {
          meterId: r.meter_id,
          communityId: r.community_id,
          intervalMinutes: r.interval_minutes,
          deliveredThrough: r.delivered_through === null ? null : toMs(r.delivered_through),
        },
      ]),
    );
  }

  /**
   * Stores a batch (any meters, any order) and updates the interval energy it changes. Returns one
   * outcome per reading, in the batch's order. Meters must exist (`meters`); readings of unknown
   * meters are rejected.
   */
  async ingest(batch: readonly IncomingReading[], now = Date.now()): Promise<ReadingOutcome[]> {
    const outcomes: ReadingOutcome[] = new Array(batch.length);
    const byMeter = new Map<string, number[]>();
    batch.forEach((r, i) => {
      const problem = readingProblem(r, now);
      if (problem) outcomes[i] = { status: 'REJECTED', reason: problem };
      else {
        const list = byMeter.get(r.meterId) ?? [];
        list.push(i);
        byMeter.set(r.meterId, list);
      }
    });
    if (byMeter.size === 0) return outcomes;
    const info = await this.meters([...byMeter.keys()]);
    for (const [meterId, indexes] of byMeter) {
      if (!info.has(meterId)) {
        for (const i of indexes) outcomes[i] = { status: 'REJECTED', reason: 'unknown meter' };
        byMeter.delete(meterId);
      }
    }
    if (byMeter.size === 0) return outcomes;
    await this.ensurePartitions(new Set([...byMeter.values()].flat().map((i) => batch[i]!.ts)));

    await inTransaction(this.pool, async (client) => {
      const meterIds = [...byMeter.keys()].sort();
      // One writer per meter at a time (GraphQL and MQTT may carry the same meter's readings).
      await client.query(
        'select pg_advisory_xact_lock(hashtextextended(m::text, 0)) from (select unnest($1::uuid[]) as m order by 1) x',
        [meterIds],
      );
      const ranges = meterIds.map((id) => {
        const ts = byMeter.get(id)!.map((i) => batch[i]!.ts);
        // A loop, not Math.min(...ts): one meter may bring 100,000 readings in an MQTT flush.
        let lo = Infinity;
        let hi = -Infinity;
        for (const t of ts) [lo, hi] = [Math.min(lo, t), Math.max(hi, t)];
        return { id, lo, hi };
      });
      const stored = await this.neighbourhood(client, ranges);
      const rows: { meterId: string; ts: number; importWh: number; exportWh: number; late: boolean }[] = [];
      const windows: { id: string; from: number; to: number; minutes: number }[] = [];
      for (const { id, lo, hi } of ranges) {
        const meter = info.get(id)!;
        const existing = stored.get(id) ?? [];
        const accepted = this.check(batch, byMeter.get(id)!, existing, outcomes, meter);
        if (accepted.length === 0) continue;
        for (const a of accepted) rows.push({ meterId: id, ...a });
        // The readings around the batch bound the boundaries whose interpolated register changed.
        const before = existing.filter((s) => s.ts < lo).at(-1);
        const after = existing.find((s) => s.ts > hi);
        windows.push({
          id,
          from: before?.ts ?? accepted[0]!.ts,
          to: after?.ts ?? accepted.at(-1)!.ts,
          minutes: meter.intervalMinutes,
        });
      }
      if (rows.length) {
        await client.query(
          `insert into "market"."reading" (meter_id, ts, import_wh, export_wh, received_at, late)
           select m, t, i, e, now(), l from unnest($1::uuid[], $2::timestamptz[], $3::bigint[], $4::bigint[], $5::boolean[]) as x(m, t, i, e, l)
           on conflict do nothing`,
          [
            rows.map((r) => r.meterId),
            rows.map((r) => new Date(r.ts).toISOString()),
            rows.map((r) => r.importWh),
            rows.map((r) => r.exportWh),
            rows.map((r) => r.late),
          ],
        );
        await this.updateIntervals(client, windows);
      }
    });
    return outcomes;
  }

  /** Per meter: the stored readings within its batch's range, plus the one before and after it. */
  private async neighbourhood(client: pg.PoolClient, ranges: { id: string; lo: number; hi: number }[]) {
    return storedPerMeter(
      client,
      ranges,
      `select b.meter_id, r.ts, r.import_wh, r.export_wh
         from unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[]) as b(meter_id, lo, hi)
         cross join lateral (
           (select ts, import_wh, export_wh from "market"."reading" r
             where r.meter_id = b.meter_id and r.ts < b.lo order by r.ts desc limit 1)
           union all
           (select ts, import_wh, export_wh from "market"."reading" r
             where r.meter_id = b.meter_id and r.ts between b.lo and b.hi)
           union all
           (select ts, import_wh, export_wh from "market"."reading" r
             where r.meter_id = b.meter_id and r.ts > b.hi order by r.ts asc limit 1)
         ) r
        order by b.meter_id, r.ts`,
    );
  }

  /**
   * Decides each of one meter's readings against what is stored and what the batch accepted before
   * it (timestamp order). Returns the accepted ones, in timestamp order.
   */
  private check(
    batch: readonly IncomingReading[],
    indexes: number[],
    existing: Stored[],
    outcomes: ReadingOutcome[],
    meter: MeterInfo,
  ) {
    const order = [...indexes].sort((a, b) => batch[a]!.ts - batch[b]!.ts);
    const storedAt = new Map(existing.map((s) => [s.ts, s]));
    // One pass in timestamp order: every reading accepted so far is earlier than this one, so its
    // neighbours are the later of the last accepted and the last stored before it, and the first
    // stored after it (linear: a flood of readings from one meter costs no more than its size).
    let p = 0;
    let lastAccepted: Stored | undefined;
    const accepted: { ts: number; importWh: number; exportWh: number; late: boolean }[] = [];
    for (const i of order) {
      const r = batch[i]!;
      const same = storedAt.get(r.ts);
      if (same) {
        outcomes[i] =
          same.importWh === BigInt(r.importWh) && same.exportWh === BigInt(r.exportWh)
            ? { status: 'DUPLICATE' }
            : { status: 'REJECTED', reason: 'differs from the reading already stored for this timestamp' };
        continue;
      }
      while (p < existing.length && existing[p]!.ts < r.ts) p++;
      const storedBefore = existing[p - 1];
      const prev =
        lastAccepted && (!storedBefore || lastAccepted.ts > storedBefore.ts) ? lastAccepted : storedBefore;
      const next = existing[p];
      const problem = backwards(r, prev, 'before') ?? backwards(r, next, 'after');
      if (problem) {
        outcomes[i] = { status: 'REJECTED', reason: problem };
        continue;
      }
      const entry = { ts: r.ts, importWh: BigInt(r.importWh), exportWh: BigInt(r.exportWh) };
      lastAccepted = entry;
      storedAt.set(r.ts, entry);
      const late = meter.deliveredThrough !== null && r.ts < meter.deliveredThrough;
      outcomes[i] = { status: 'ACCEPTED', late };
      accepted.push({ ts: r.ts, importWh: r.importWh, exportWh: r.exportWh, late });
    }
    return accepted;
  }

  /**
   * Recomputes the interval energy of every interval with a boundary in each window (see the rule
   * in the migration): loads the readings that bracket the window's outer boundaries, interpolates
   * the registers at each boundary, and upserts the deltas.
   */
  private async updateIntervals(
    client: pg.PoolClient,
    windows: { id: string; from: number; to: number; minutes: number }[],
  ): Promise<void> {
    if (windows.length === 0) return;
    const bounds = windows.map((w) => {
      const step = intervalMs({ intervalMinutes: w.minutes });
      return { ...w, step, lo: Math.floor(w.from / step) * step, hi: Math.ceil(w.to / step) * step };
    });
    const readings = await storedPerMeter(
      client,
      bounds,
      `select b.meter_id, r.ts, r.import_wh, r.export_wh
         from unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[]) as b(meter_id, lo, hi)
         cross join lateral (
           select ts, import_wh, export_wh from "market"."reading" r
            where r.meter_id = b.meter_id
              and r.ts >= coalesce((select max(ts) from "market"."reading" p where p.meter_id = b.meter_id and p.ts <= b.lo), b.lo)
              and r.ts <= coalesce((select min(ts) from "market"."reading" n where n.meter_id = b.meter_id and n.ts >= b.hi), b.hi)
         ) r
        order by b.meter_id, r.ts`,
    );
    const out = { meter: [] as string[], start: [] as string[], imp: [] as string[], exp: [] as string[] };
    for (const b of bounds) {
      const list = readings.get(b.id) ?? [];
      let k = 0;
      let previous: { importWh: bigint; exportWh: bigint } | null = null;
      for (let t = b.lo; t <= b.hi; t += b.step) {
        while (k < list.length - 1 && list[k + 1]!.ts <= t) k++;
        const register = interpolate(list, k, t);
        if (previous && register) {
          out.meter.push(b.id);
          out.start.push(new Date(t - b.step).toISOString());
          out.imp.push(String(register.importWh - previous.importWh));
          out.exp.push(String(register.exportWh - previous.exportWh));
        }
        previous = register;
      }
    }
    if (out.meter.length === 0) return;
    await client.query(
      `insert into "market"."interval_energy" (meter_id, interval_start, import_wh, export_wh)
       select * from unnest($1::uuid[], $2::timestamptz[], $3::bigint[], $4::bigint[])
       on conflict (meter_id, interval_start) do update set import_wh = excluded.import_wh, export_wh = excluded.export_wh`,
      [out.meter, out.start, out.imp, out.exp],
    );
  }
}

/**
 * Runs `sql` (per meter, `$1` ids, `$2` range start, `$3` range end; rows ordered by meter and time)
 * and groups the stored readings it returns by meter.
 */
async function storedPerMeter(
  client: pg.PoolClient,
  ranges: { id: string; lo: number; hi: number }[],
  sql: string,
): Promise<Map<string, Stored[]>> {
  const { rows } = await client.query<{
    meter_id: string;
    ts: Date | string;
    import_wh: string;
    export_wh: string;
  }>(sql, [
    ranges.map((r) => r.id),
    ranges.map((r) => new Date(r.lo).toISOString()),
    ranges.map((r) => new Date(r.hi).toISOString()),
  ]);
  const out = new Map<string, Stored[]>();
  for (const r of rows) {
    const list = out.get(r.meter_id) ?? [];
    list.push({ ts: toMs(r.ts), importWh: BigInt(r.import_wh), exportWh: BigInt(r.export_wh) });
    out.set(r.meter_id, list);
  }
  return out;
}

function backwards(r: IncomingReading, other: Stored | undefined, where: 'before' | 'after'): string | null {
  if (!other) return null;
  for (const field of ['importWh', 'exportWh'] as const) {
    const mine = BigInt(r[field]);
    const theirs = other[field];
    if (where === 'before' ? mine < theirs : mine > theirs)
      return `${field} went backwards: ${mine} at ${new Date(r.ts).toISOString()} is ${where === 'before' ? 'below' : 'above'} ${theirs} at ${new Date(other.ts).toISOString()}`;
  }
  return null;
}

/**
 * The registers at `t`, given that `list[k]` is the last reading at or before `t` (when any is):
 * exact at a reading, linear between the two around `t`, rounded down to a whole Wh; null when `t`
 * is not between two readings.
 */
function interpolate(list: Stored[], k: number, t: number) {
  const a = list[k];
  if (!a || a.ts > t) return null;
  if (a.ts === t) return a;
  const b = list[k + 1];
  if (!b) return null;
  const span = BigInt(b.ts - a.ts);
  const into = BigInt(t - a.ts);
  return {
    importWh: a.importWh + ((b.importWh - a.importWh) * into) / span,
    exportWh: a.exportWh + ((b.exportWh - a.exportWh) * into) / span,
  };
}
