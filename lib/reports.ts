/**
 * What the report queries share across subgraphs: the periods a report covers and the id of one
 * bucket (`ReportBucket @key(fields: "id")`), which the station subgraph hands out and the session
 * subgraph resolves its own figures for.
 *
 * Rollup rows are labelled by period: an hour by its UTC ISO instant (`2026-11-03T14:00:00.000Z`), a
 * day by the station's local date (`2026-11-03`); months are summed from days (`2026-11`).
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from './errors.js';
import { addDays, isIsoDate } from './time-zones.js';

export type Granularity = 'HOUR' | 'DAY' | 'MONTH';

export interface ReportPeriods {
  granularity: Granularity;
  /** Bucket labels in order. */
  labels: string[];
  /** The rollup rows to read: HOUR rows with labels in [first, end), or DAY rows in [first, end). */
  rows: { granularity: 'HOUR' | 'DAY'; first: string; end: string };
}

const HOUR = 3_600_000;
const MAX_HOURS = 31 * 24;
const MAX_DAYS = 400;
const MAX_MONTHS = 60;

/** Checks a report's range and lists its periods; BAD_USER_INPUT for a range it cannot cover. */
export function reportPeriods(granularity: Granularity, from: string, to: string): ReportPeriods {
  if (granularity === 'HOUR') {
    const start = Date.parse(from);
    const end = Date.parse(to);
    if (Number.isNaN(start)) throw badInput('from must be an ISO 8601 instant for HOUR reports', 'from');
    if (Number.isNaN(end)) throw badInput('to must be an ISO 8601 instant for HOUR reports', 'to');
    const first = Math.floor(start / HOUR) * HOUR;
    const last = Math.ceil(end / HOUR) * HOUR;
    if (last <= first) throw badInput('to must be after from', 'to');
    if (last - first > MAX_HOURS * HOUR) throw badInput('An HOUR report covers at most 31 days', 'to');
    const labels: string[] = [];
    for (let t = first; t < last; t += HOUR) labels.push(new Date(t).toISOString());
    return {
      granularity,
      labels,
      rows: { granularity: 'HOUR', first: labels[0]!, end: new Date(last).toISOString() },
    };
  }
  if (!isIsoDate(from)) throw badInput('from must be a date YYYY-MM-DD for DAY and MONTH reports', 'from');
  if (!isIsoDate(to)) throw badInput('to must be a date YYYY-MM-DD for DAY and MONTH reports', 'to');
  if (to <= from) throw badInput('to must be after from', 'to');
  const labels: string[] = [];
  if (granularity === 'DAY') {
    for (let d = from; d < to; d = addDays(d, 1)) {
      labels.push(d);
      if (labels.length > MAX_DAYS) throw badInput('A DAY report covers at most 400 days', 'to');
    }
  } else {
    for (let d = from; d < to; d = addDays(d, 1)) {
      const month = d.slice(0, 7);
      if (labels.at(-1) !== month) labels.push(month);
      if (labels.length > MAX_MONTHS) throw badInput('A MONTH report covers at most 60 months', 'to');
    }
  }
  return { granularity, labels, rows: { granularity: 'DAY', first: from, end: to } };
}

/** The period a DAY row's label falls in, for a report of this granularity. */
export const periodOfDay = (granularity: Granularity, day: string) =>
  granularity === 'MONTH' ? day.slice(0, 7) : day;

/** A report's scope: one station, one operator's stations, or every station. */
export type ReportScope = { station: string } | { operator: string } | { all: true };

/** `station:<id>|DAY|2026-11-01|2026-12-01|2026-11-03`: scope, granularity, range and period. */
export function bucketId(scope: ReportScope, periods: ReportPeriods, label: string): string {
  const s =
    'station' in scope
      ? `station:${scope.station}`
      : 'operator' in scope
        ? `operator:${scope.operator}`
        : 'all';
  return [s, periods.granularity, periods.rows.first, periods.rows.end, label].join('|');
}

export interface ParsedBucketId {
  scope: ReportScope;
  granularity: Granularity;
  /** The report's rows and this bucket's period. */
  rows: ReportPeriods['rows'];
  label: string;
}

/** Reads a bucket id back; null for one this code did not make. */
export function parseBucketId(id: string): ParsedBucketId | null {
  const [s, granularity, first, end, label, ...rest] = id.split('|');
  if (rest.length || !s || !first || !end || !label) return null;
  if (granularity !== 'HOUR' && granularity !== 'DAY' && granularity !== 'MONTH') return null;
  const uuid = /^[0-9a-f-]{36}$/i;
  let scope: ReportScope;
  if (s === 'all') scope = { all: true };
  else if (s.startsWith('station:') && uuid.test(s.slice(8))) scope = { station: s.slice(8) };
  else if (s.startsWith('operator:') && uuid.test(s.slice(9))) scope = { operator: s.slice(9) };
  else return null;
  return {
    scope,
    granularity,
    rows: { granularity: granularity === 'HOUR' ? 'HOUR' : 'DAY', first, end },
    label,
  };
}

/** The uptime ports are held to: the NEVI rule's 97 %. */
export const UPTIME_TARGET = 0.97;

/**
 * Periods whose operator sums are due again: the rollup jobs mark them in the transaction that writes
 * a station's rows, and sum each operator's marks once a pass (`drain`), one operator at a time across
 * replicas (an advisory lock per operator). `table` is `"<schema>"."<table>"` (operator_id, granularity,
 * label; primary key all three).
 */
export class OperatorMarks {
  constructor(private readonly table: string) {}

  mark(tx: EntityManager, operatorId: string, hours: string[], days: string[]) {
    return tx.execute(
      `insert into ${this.table} (operator_id, granularity, label)
       select ?, g, l from (select 'HOUR' as g, jsonb_array_elements_text(?::jsonb) as l
                            union all select 'DAY', jsonb_array_elements_text(?::jsonb)) x
       on conflict do nothing`,
      [operatorId, JSON.stringify(hours), JSON.stringify(days)],
    );
  }

  /** Takes every operator's marks and has `sum` compute those periods, each operator in one transaction. */
  async drain(
    em: EntityManager,
    sum: (
      tx: EntityManager,
      operatorId: string,
      granularity: 'HOUR' | 'DAY',
      labels: string[],
    ) => Promise<void>,
  ): Promise<void> {
    const due = await em.execute<{ operator_id: string }[]>(`select distinct operator_id from ${this.table}`);
    for (const { operator_id } of due)
      await em.transactional(async (tx) => {
        await tx.execute(`select pg_advisory_xact_lock(hashtextextended(? || ?, 0))`, [
          this.table,
          operator_id,
        ]);
        const marks = await tx.execute<{ granularity: string; label: string }[]>(
          `delete from ${this.table} where operator_id = ? returning granularity, label`,
          [operator_id],
        );
        for (const granularity of ['HOUR', 'DAY'] as const) {
          const labels = marks.filter((m) => m.granularity === granularity).map((m) => m.label);
          if (labels.length) await sum(tx, operator_id, granularity, labels);
        }
      });
  }
}
