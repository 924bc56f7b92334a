import { Poller } from '../../../lib/poller.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { hasRole, Role, type Viewer } from '../../../lib/auth.js';
import type { Logger } from '../../../lib/logger.js';
import { OperatorMarks, parseBucketId, periodOfDay, type ParsedBucketId } from '../../../lib/reports.js';
import { formatMoney } from './money.js';

/**
 * The session subgraph's rollup job: completed sessions per station, currency and period — by UTC
 * hour and by the station's local day (the day the session started in) — into `session_rollup`. A
 * trigger marks each hour whose sessions changed (`session_rollup_dirty`); a pass takes the marks
 * and computes those hours, and the local days they fall in, again from the sessions. A session
 * counts in the period it started in, once COMPLETED (DISPUTED ones count when resolved and settled).
 */
const OPERATOR_MARKS = new OperatorMarks('"session"."operator_session_rollup_dirty"');

export class SessionRollup {
  private readonly poller: Poller;

  constructor(
    private readonly deps: { em: () => EntityManager; logger: Logger; pollMs: number; batch?: number },
  ) {
    this.poller = new Poller({
      everyMs: deps.pollMs,
      // Every mark there is, a batch at a time, then the operators' sums.
      pass: async () => {
        while ((await this.batch()) > 0);
        await OPERATOR_MARKS.drain(this.deps.em(), rollOperator);
      },
      logger: deps.logger,
      failure: 'session rollup failed; again next pass',
    });
  }

  start(): void {
    this.poller.start();
  }

  stop(): Promise<void> {
    return this.poller.stop();
  }

  /** Takes a batch of marks and rolls their hours up, in one transaction (a failure leaves the marks). */
  private batch(): Promise<number> {
    return this.deps.em().transactional(async (tx) => {
      const marks = await tx.execute<{ station_id: string; hour: Date }[]>(
        `delete from "session"."session_rollup_dirty" d using (
           select station_id, hour from "session"."session_rollup_dirty"
            order by station_id, hour limit ? for update skip locked) m
         where d.station_id = m.station_id and d.hour = m.hour
         returning d.station_id, d.hour`,
        [this.deps.batch ?? 5_000],
      );
      const byStation = new Map<string, Date[]>();
      for (const m of marks)
        byStation.set(m.station_id, [...(byStation.get(m.station_id) ?? []), new Date(m.hour)]);
      for (const [stationId, hours] of byStation) await this.roll(tx, stationId, hours);
      return marks.length;
    });
  }

  private async roll(tx: EntityManager, stationId: string, hours: Date[]): Promise<void> {
    // Replicas may roll the same station: one at a time, each reading what the other committed.
    await tx.execute(`select pg_advisory_xact_lock(hashtextextended('session-rollup:' || ?, 0))`, [
      stationId,
    ]);
    const labels = hours.map((h) => h.toISOString());
    const touched: { operator_id: string }[] = [];
    touched.push(
      ...(await tx.execute<{ operator_id: string }[]>(
        `delete from "session"."session_rollup" where station_id = ? and granularity = 'HOUR'
         and label in (select jsonb_array_elements_text(?::jsonb)) returning operator_id`,
        [stationId, JSON.stringify(labels)],
      )),
    );
    touched.push(
      ...(await tx.execute<{ operator_id: string }[]>(
        `insert into "session"."session_rollup"
         (station_id, operator_id, granularity, label, currency, sessions, energy_wh, revenue_micros)
       select station_id, min(operator_id::text)::uuid, 'HOUR',
              to_char(date_trunc('hour', started_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:00:00.000"Z"'),
              currency, count(*), sum(energy_wh), sum(coalesce(cost_micros, 0))
         from "session"."charging_session"
        where station_id = ? and status = 'COMPLETED'
          and date_trunc('hour', started_at) in (select jsonb_array_elements_text(?::jsonb)::timestamptz)
        group by station_id, date_trunc('hour', started_at), currency
       returning operator_id`,
        [stationId, JSON.stringify(labels)],
      )),
    );
    // The local days those hours fall in (sessions carry their station's zone), computed whole.
    const days = await tx.execute<{ day: string }[]>(
      `select distinct to_char((h at time zone z.timezone)::date, 'YYYY-MM-DD') as day
         from (select jsonb_array_elements_text(?::jsonb)::timestamptz as base) u, lateral (values (base), (base + interval '59 minutes 59 seconds')) v(h),
              lateral (select coalesce((select timezone from "session"."charging_session"
                        where station_id = ? order by started_at desc limit 1), 'UTC') as timezone) z`,
      [JSON.stringify(labels), stationId],
    );
    const dayList = days.map((d) => d.day);
    touched.push(
      ...(await tx.execute<{ operator_id: string }[]>(
        `delete from "session"."session_rollup" where station_id = ? and granularity = 'DAY'
         and label in (select jsonb_array_elements_text(?::jsonb)) returning operator_id`,
        [stationId, JSON.stringify(dayList)],
      )),
    );
    touched.push(
      ...(await tx.execute<{ operator_id: string }[]>(
        `insert into "session"."session_rollup"
         (station_id, operator_id, granularity, label, currency, sessions, energy_wh, revenue_micros)
       select station_id, min(operator_id::text)::uuid, 'DAY', to_char((started_at at time zone timezone)::date, 'YYYY-MM-DD'),
              currency, count(*), sum(energy_wh), sum(coalesce(cost_micros, 0))
         from "session"."charging_session"
        where station_id = ? and status = 'COMPLETED'
          and started_at >= (?::date - 1)::timestamptz and started_at < (?::date + 2)::timestamptz
          and to_char((started_at at time zone timezone)::date, 'YYYY-MM-DD') in (select jsonb_array_elements_text(?::jsonb))
        group by station_id, to_char((started_at at time zone timezone)::date, 'YYYY-MM-DD'), currency
       returning operator_id`,
        [
          stationId,
          dayList.reduce((a, b) => (a < b ? a : b)),
          dayList.reduce((a, b) => (a > b ? a : b)),
          JSON.stringify(dayList),
        ],
      )),
    );
    // The operators whose sums these periods touch (before and after: a station may change hands).
    // Their sums of these periods are due again: summed once a pass.
    for (const operatorId of new Set(touched.map((r) => r.operator_id)))
      await OPERATOR_MARKS.mark(tx, operatorId, labels, dayList);
  }
}

/** An operator's session sums of some periods, from its stations' rows. */
async function rollOperator(
  tx: EntityManager,
  operatorId: string,
  granularity: 'HOUR' | 'DAY',
  labels: string[],
) {
  const json = JSON.stringify(labels);
  await tx.execute(
    `delete from "session"."operator_session_rollup"
      where operator_id = ? and granularity = ? and label in (select jsonb_array_elements_text(?::jsonb))`,
    [operatorId, granularity, json],
  );
  await tx.execute(
    `insert into "session"."operator_session_rollup"
       (operator_id, granularity, label, currency, sessions, energy_wh, revenue_micros)
     select operator_id, granularity, label, currency, sum(sessions), sum(energy_wh), sum(revenue_micros)
       from "session"."session_rollup"
      where operator_id = ? and granularity = ? and label in (select jsonb_array_elements_text(?::jsonb))
      group by operator_id, granularity, label, currency`,
    [operatorId, granularity, json],
  );
}

export interface SessionFigures {
  sessions: number;
  energyWh: number;
  revenue: { currency: string; amount: string }[];
}

/**
 * The session figures of report buckets (`ReportBucket` ids from the station subgraph), a batch at a
 * time: one query per report. Operators see only their own sessions' figures, admins and auditors all.
 */
export function bucketFiguresLoader(em: EntityManager, viewer: Viewer): DataLoader<string, SessionFigures> {
  return new DataLoader(async (ids) => {
    const parsed = ids.map((id) => parseBucketId(id));
    const groups = new Map<string, ParsedBucketId>();
    for (const p of parsed) if (p) groups.set(groupKey(p), p);
    const totals = new Map<string, { sessions: number; energyWh: number; revenue: Map<string, number> }>();
    const all = hasRole(viewer, Role.ADMIN, Role.AUDITOR);
    await Promise.all(
      [...groups].map(async ([key, p]) => {
        const where: string[] = ['granularity = ?', 'label >= ?', 'label < ?'];
        const params: unknown[] = [p.rows.granularity, p.rows.first, p.rows.end];
        const and = (condition: string, value: unknown) => {
          where.push(condition);
          params.push(value);
        };
        if ('station' in p.scope) and('station_id = ?', p.scope.station);
        if ('operator' in p.scope) and('operator_id = ?', p.scope.operator);
        // Not an admin or auditor: their own sessions' figures only (none for anyone else's scope).
        if (!all) and('operator_id = ?', viewer.userId ?? '00000000-0000-0000-0000-000000000000');
        const rows = await em.execute<
          { label: string; currency: string; sessions: string; energy_wh: string; revenue_micros: string }[]
        >(
          `select label, currency, sum(sessions) as sessions, sum(energy_wh) as energy_wh,
                  sum(revenue_micros) as revenue_micros
             from "session"."${'station' in p.scope ? 'session_rollup' : 'operator_session_rollup'}"
            where ${where.join(' and ')} group by label, currency`,
          params,
        );
        for (const r of rows) {
          const k = `${key}|${periodOfDay(p.granularity, r.label)}`;
          let t = totals.get(k);
          if (!t) totals.set(k, (t = { sessions: 0, energyWh: 0, revenue: new Map() }));
          t.sessions += Number(r.sessions);
          t.energyWh += Number(r.energy_wh);
          t.revenue.set(r.currency, (t.revenue.get(r.currency) ?? 0) + Number(r.revenue_micros));
        }
      }),
    );
    return parsed.map((p) => {
      const t = p && totals.get(`${groupKey(p)}|${p.label}`);
      return {
        sessions: t?.sessions ?? 0,
        energyWh: t?.energyWh ?? 0,
        revenue: t
          ? [...t.revenue]
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([currency, micros]) => ({ currency, amount: formatMoney(micros) }))
          : [],
      };
    });
  });
}

const groupKey = (p: ParsedBucketId) =>
  [JSON.stringify(p.scope), p.granularity, p.rows.granularity, p.rows.first, p.rows.end].join('|');
