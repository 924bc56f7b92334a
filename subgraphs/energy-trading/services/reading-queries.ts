import type pg from 'pg';
import { ReadingResolution } from '../entities/enums.js';

export interface ReadingPoint {
  at: Date;
  importWh: number;
  exportWh: number;
  late: boolean;
}

/** Points a query returns at most; narrow the range for more. */
export const MAX_POINTS = 10_000;

/**
 * A meter's readings over [from, to): RAW gives the registers as sent; INTERVAL the energy per
 * market interval (register deltas: see the migration's rule); HOUR and DAY sum the intervals that
 * start in each hour, or each day of the community's time zone.
 */
export async function readingsOf(
  pool: pg.Pool,
  q: { meterId: string; from: Date; to: Date; resolution: ReadingResolution; timezone: string },
): Promise<ReadingPoint[]> {
  const args = [q.meterId, q.from.toISOString(), q.to.toISOString(), MAX_POINTS];
  let sql: string;
  if (q.resolution === ReadingResolution.RAW) {
    sql = `select ts as at, import_wh, export_wh, late from "market"."reading"
            where meter_id = $1 and ts >= $2 and ts < $3 order by ts limit $4`;
  } else if (q.resolution === ReadingResolution.INTERVAL) {
    sql = `select interval_start as at, import_wh, export_wh, false as late from "market"."interval_energy"
            where meter_id = $1 and interval_start >= $2 and interval_start < $3 order by interval_start limit $4`;
  } else {
    const unit = q.resolution === ReadingResolution.HOUR ? 'hour' : 'day';
    args.push(q.timezone);
    sql = `select date_trunc('${unit}', interval_start, $5) as at, sum(import_wh) as import_wh,
                  sum(export_wh) as export_wh, false as late
             from "market"."interval_energy"
            where meter_id = $1 and interval_start >= $2 and interval_start < $3
            group by 1 order by 1 limit $4`;
  }
  const { rows } = await pool.query<{
    at: Date | string;
    import_wh: string;
    export_wh: string;
    late: boolean;
  }>(sql, args);
  return rows.map((r) => ({
    at: new Date(r.at),
    importWh: Number(r.import_wh),
    exportWh: Number(r.export_wh),
    late: r.late,
  }));
}
