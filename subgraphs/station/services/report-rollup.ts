import { Poller } from '../../../lib/poller.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../../../lib/logger.js';
import { OperatorMarks } from '../../../lib/reports.js';
import { addDays, localDate, startOfLocalDay } from '../../../lib/time-zones.js';
import {
  countFaults,
  emptyFigures,
  portBuckets,
  type Interval,
  type PortFigures,
  type StatusPoint,
} from './uptime.js';

const HOUR = 3_600_000;
const OPERATOR_MARKS = new OperatorMarks('"station"."operator_rollup_dirty"');
/** Hours one step of a station's rollup covers (a station far behind catches up in steps). */
const STEP_HOURS = 31 * 24;

/** `port_rollup.label` of an hour bucket: the UTC hour as ISO 8601 (sorts as it reads). */
export const hourLabel = (ms: number) => new Date(ms).toISOString();

interface PortKey {
  charger_id: string;
  evse_id: number;
  connector_id: number;
}

interface EventRow extends PortKey {
  status: string;
  error_code: string | null;
  at: Date;
}

const portKey = (p: PortKey) => `${p.charger_id}|${p.evse_id}|${p.connector_id}`;

/**
 * The station subgraph's rollup job: for each station, every hour since its mark
 * (`report_watermark.rolled_until`), the one in progress as far as it went, becomes per-port and per-station figures by UTC hour and by the
 * station's local day (`port_rollup`, `station_rollup`), which the report queries read. A status report
 * older than the mark, or an exclusion recorded afterwards, moves the mark back and the hours since are
 * computed again; a day is always computed whole (the day in progress again on the next pass).
 * Stations are rolled under a transaction-scoped advisory lock, so subgraph replicas take turns; a
 * late report stored during a step is not lost (see `history` in station-events.service.ts).
 */
export class ReportRollup {
  private readonly poller: Poller;

  constructor(
    private readonly deps: {
      em: () => EntityManager;
      logger: Logger;
      /** REPORT_ROLLUP_MS: how often a pass runs. */
      pollMs: number;
    },
  ) {
    this.poller = new Poller({
      everyMs: deps.pollMs,
      pass: () => this.pass(),
      logger: deps.logger,
      failure: 'report rollup failed; again next pass',
    });
  }

  start(): void {
    this.poller.start();
  }

  stop(): Promise<void> {
    return this.poller.stop();
  }

  private async pass(): Promise<number> {
    const em = this.deps.em();
    const due = await em.execute<{ station_id: string }[]>(
      `select station_id from "station"."report_watermark" order by rolled_until`,
    );
    for (const { station_id } of due) while (await this.step(em, station_id));
    await OPERATOR_MARKS.drain(em, (tx, operatorId, granularity, labels) =>
      this.rollOperator(tx, operatorId, granularity, labels),
    );
    return due.length;
  }

  /**
   * Rolls up to STEP_HOURS of one station, up to now: the hour in progress is computed as far as it
   * went, and again on the next pass (the mark stays at its start). True while more steps are due.
   */
  private async step(em: EntityManager, stationId: string): Promise<boolean> {
    return em.transactional(async (tx) => {
      // Another replica's step waits, then finds the new mark.
      await tx.execute(`select pg_advisory_xact_lock(hashtextextended('report-rollup:' || ?, 0))`, [
        stationId,
      ]);
      const [mark] = await tx.execute<
        { rolled_until: Date; changes: string; now: Date; timezone: string; operator_id: string }[]
      >(
        `select w.rolled_until, w.changes, now() as now, s.timezone, s.operator_id
           from "station"."report_watermark" w join "station"."station" s on s.id = w.station_id
          where w.station_id = ?`,
        [stationId],
      );
      if (!mark || new Date(mark.rolled_until) >= new Date(mark.now)) return false;
      // Raw rows hold timestamps as the driver gives them (strings here): read through Date.
      const from = new Date(mark.rolled_until).getTime();
      const now = new Date(mark.now).getTime();
      const to = Math.min(now, from + STEP_HOURS * HOUR);
      await this.roll(tx, stationId, mark.timezone, mark.operator_id, from, to);
      // A late report meanwhile (the change count moved): the mark is left where it put it.
      await tx.execute(
        `update "station"."report_watermark" set rolled_until = ?
          where station_id = ? and rolled_until = ? and changes = ?`,
        [new Date(Math.floor(to / HOUR) * HOUR), stationId, mark.rolled_until, mark.changes],
      );
      return to < now;
    });
  }

  private async roll(
    tx: EntityManager,
    stationId: string,
    timezone: string,
    operatorId: string,
    from: number,
    to: number,
  ): Promise<void> {
    // Hours [from, to); the local days they touch, whole (the last one up to `to`).
    const hourBounds: number[] = [];
    for (let t = from; t < to; t += HOUR) hourBounds.push(t);
    hourBounds.push(to);
    const days: string[] = [];
    for (let d = localDate(from, timezone); ; d = addDays(d, 1)) {
      if (startOfLocalDay(d, timezone) >= to) break;
      days.push(d);
    }
    const dayBounds = [...days.map((d) => startOfLocalDay(d, timezone)), to];
    const rangeStart = Math.min(from, dayBounds[0]!);

    const ports = await tx.execute<PortKey[]>(
      `select c.charger_id, c.evse_id, c.connector_id from "station"."connector" c
         join "station"."charger" ch on ch.id = c.charger_id where ch.station_id = ?
        order by c.charger_id, c.evse_id, c.connector_id`,
      [stationId],
    );
    const chargerIds = [...new Set(ports.map((p) => p.charger_id))];
    const events = await tx.execute<EventRow[]>(
      `with keys as (
         select c.charger_id, c.evse_id, c.connector_id from "station"."connector" c
           join "station"."charger" ch on ch.id = c.charger_id where ch.station_id = ?
         union
         select id, 0, 0 from "station"."charger" where station_id = ?
       )
       select b.* from keys k cross join lateral (
         select e.charger_id, e.evse_id, e.connector_id, e.status, e.error_code, e.at, e.id
           from "station"."connector_status_event" e
          where e.charger_id = k.charger_id and e.evse_id = k.evse_id and e.connector_id = k.connector_id
            and e.at < ? order by e.at desc, e.id desc limit 1) b
       union all
       select e.charger_id, e.evse_id, e.connector_id, e.status, e.error_code, e.at, e.id
         from "station"."connector_status_event" e join "station"."charger" ch on ch.id = e.charger_id
        where ch.station_id = ? and e.at >= ? and e.at < ?
       order by at, id`,
      [stationId, stationId, new Date(rangeStart), stationId, new Date(rangeStart), new Date(to)],
    );
    const byKey = new Map<string, StatusPoint[]>();
    for (const e of events) {
      const key = portKey(e);
      let list = byKey.get(key);
      if (!list) byKey.set(key, (list = []));
      list.push({ at: new Date(e.at).getTime(), status: e.status, errorCode: e.error_code });
    }
    const exclusions = await tx.execute<
      { charger_id: string | null; evse_id: number | null; s: Date; e: Date }[]
    >(
      `select charger_id, evse_id, starts_at as s, ends_at as e from "station"."outage_exclusion"
        where station_id = ? and starts_at < ? and ends_at > ?`,
      [stationId, new Date(to), new Date(rangeStart)],
    );
    // Planned downtime: windows that started (the charger was told Inoperative), up to their end or now.
    const windows = await tx.execute<{ charger_id: string; evse_id: number | null; s: Date; e: Date }[]>(
      `select w.charger_id, w.evse_id, w.starts_at as s, least(w.ends_at, now()) as e
         from "station"."maintenance_window" w join "station"."charger" ch on ch.id = w.charger_id
        where ch.station_id = ? and w.status in ('ACTIVE', 'DONE') and coalesce(w.end_outcome, '') <> 'Skipped'
          and w.starts_at < ? and w.ends_at > ?`,
      [stationId, new Date(to), new Date(rangeStart)],
    );
    const applies = (p: PortKey, r: { charger_id: string | null; evse_id: number | null }) =>
      (r.charger_id === null || r.charger_id === p.charger_id) &&
      (r.evse_id === null || r.evse_id === p.evse_id);
    const interval = (r: { s: Date; e: Date }): Interval => ({
      start: new Date(r.s).getTime(),
      end: new Date(r.e).getTime(),
    });

    const portRows: object[] = [];
    const stationHours = hourBounds.slice(1).map(emptyFigures);
    const stationDays = days.map(emptyFigures);
    const portsSeen = { hour: hourBounds.slice(1).map(() => 0), day: days.map(() => 0) };
    for (const p of ports) {
      const input = {
        port: byKey.get(portKey(p)) ?? [],
        charger: byKey.get(portKey({ charger_id: p.charger_id, evse_id: 0, connector_id: 0 })) ?? [],
        excluded: exclusions.filter((r) => applies(p, r)).map(interval),
        maintenance: windows.filter((r) => applies(p, r)).map(interval),
      };
      const perHour = portBuckets({ ...input, bounds: hourBounds });
      const perDay = portBuckets({ ...input, bounds: dayBounds });
      const keep = (
        granularity: string,
        labels: string[],
        figures: PortFigures[],
        totals: PortFigures[],
        seen: number[],
      ) =>
        figures.forEach((f, i) => {
          if (!f.observedMs && !Object.keys(f.faults).length) return;
          portRows.push({ granularity, label: labels[i], ...p, ...columns(f) });
          add(totals[i]!, f);
          if (f.observedMs) seen[i]!++;
        });
      keep('HOUR', hourBounds.slice(0, -1).map(hourLabel), perHour, stationHours, portsSeen.hour);
      keep('DAY', days, perDay, stationDays, portsSeen.day);
    }
    // Faults the chargers reported as a whole count at the station.
    for (const id of chargerIds) {
      const points = byKey.get(portKey({ charger_id: id, evse_id: 0, connector_id: 0 })) ?? [];
      countFaults(points, hourBounds, stationHours);
      countFaults(points, dayBounds, stationDays);
    }
    const stationRows: object[] = [];
    const keepStation = (granularity: string, labels: string[], figures: PortFigures[], seen: number[]) =>
      figures.forEach((f, i) => {
        if (!f.observedMs && !Object.keys(f.faults).length) return;
        stationRows.push({ granularity, label: labels[i], ports: seen[i], ...columns(f) });
      });
    keepStation('HOUR', hourBounds.slice(0, -1).map(hourLabel), stationHours, portsSeen.hour);
    keepStation('DAY', days, stationDays, portsSeen.day);

    const scope = `station_id = ? and ((granularity = 'HOUR' and label >= ? and label < ?)
                   or (granularity = 'DAY' and label in (select jsonb_array_elements_text(?::jsonb))))`;
    // Arrays travel as JSON: the driver would spread a JS array into a list of parameters.
    const scopeParams = [stationId, hourLabel(from), hourLabel(to), JSON.stringify(days)];
    await tx.execute(`delete from "station"."port_rollup" where ${scope}`, scopeParams);
    await tx.execute(`delete from "station"."station_rollup" where ${scope}`, scopeParams);
    const figureColumns = `observed_ms bigint, down_ms bigint, excluded_ms bigint, maintenance_ms bigint,
      occupied_ms bigint, faults jsonb`;
    const figureNames = 'observed_ms, down_ms, excluded_ms, maintenance_ms, occupied_ms, faults';
    if (portRows.length)
      await tx.execute(
        `insert into "station"."port_rollup"
           (station_id, granularity, label, charger_id, evse_id, connector_id, ${figureNames})
         select ?, granularity, label, charger_id, evse_id, connector_id, ${figureNames}
           from jsonb_to_recordset(?::jsonb) as x(granularity text, label text, charger_id uuid, evse_id int,
             connector_id int, ${figureColumns})`,
        [stationId, JSON.stringify(portRows)],
      );
    if (stationRows.length)
      await tx.execute(
        `insert into "station"."station_rollup" (station_id, operator_id, granularity, label, ports, ${figureNames})
         select ?, ?, granularity, label, ports, ${figureNames}
           from jsonb_to_recordset(?::jsonb) as x(granularity text, label text, ports int, ${figureColumns})`,
        [stationId, operatorId, JSON.stringify(stationRows)],
      );
    // The operator's sums of these periods are due again: summed once a pass.
    await OPERATOR_MARKS.mark(tx, operatorId, hourBounds.slice(0, -1).map(hourLabel), days);
  }

  /** The operator's sums of some periods, from its stations' rows. */
  private async rollOperator(
    tx: EntityManager,
    operatorId: string,
    granularity: 'HOUR' | 'DAY',
    labels: string[],
  ) {
    const json = JSON.stringify(labels);
    const rows = await tx.execute<
      {
        label: string;
        ports: string;
        observed_ms: string;
        down_ms: string;
        excluded_ms: string;
        maintenance_ms: string;
        occupied_ms: string;
        faults: Record<string, number>[] | null;
      }[]
    >(
      `select label, sum(ports) as ports, sum(observed_ms) as observed_ms, sum(down_ms) as down_ms,
              sum(excluded_ms) as excluded_ms, sum(maintenance_ms) as maintenance_ms, sum(occupied_ms) as occupied_ms,
              jsonb_agg(faults) filter (where faults <> '{}'::jsonb) as faults
         from "station"."station_rollup"
        where operator_id = ? and granularity = ? and label in (select jsonb_array_elements_text(?::jsonb))
        group by label`,
      [operatorId, granularity, json],
    );
    await tx.execute(
      `delete from "station"."operator_rollup"
        where operator_id = ? and granularity = ? and label in (select jsonb_array_elements_text(?::jsonb))`,
      [operatorId, granularity, json],
    );
    if (!rows.length) return;
    const sums = rows.map((r) => {
      const faults: Record<string, number> = {};
      for (const f of r.faults ?? [])
        for (const [code, n] of Object.entries(f)) faults[code] = (faults[code] ?? 0) + Number(n);
      return { ...r, ports: Number(r.ports), faults };
    });
    await tx.execute(
      `insert into "station"."operator_rollup"
         (operator_id, granularity, label, ports, observed_ms, down_ms, excluded_ms, maintenance_ms, occupied_ms, faults)
       select ?, ?, label, ports, observed_ms, down_ms, excluded_ms, maintenance_ms, occupied_ms, faults
         from jsonb_to_recordset(?::jsonb) as x(label text, ports int, observed_ms bigint, down_ms bigint,
           excluded_ms bigint, maintenance_ms bigint, occupied_ms bigint, faults jsonb)`,
      [operatorId, granularity, JSON.stringify(sums)],
    );
  }
}

const columns = (f: PortFigures) => ({
  observed_ms: f.observedMs,
  down_ms: f.downMs,
  excluded_ms: f.excludedMs,
  maintenance_ms: f.maintenanceMs,
  occupied_ms: f.occupiedMs,
  faults: f.faults,
});

function add(total: PortFigures, f: PortFigures): void {
  total.observedMs += f.observedMs;
  total.downMs += f.downMs;
  total.excludedMs += f.excludedMs;
  total.maintenanceMs += f.maintenanceMs;
  total.occupiedMs += f.occupiedMs;
  for (const [code, n] of Object.entries(f.faults)) total.faults[code] = (total.faults[code] ?? 0) + n;
}
