import type { EntityManager } from '@mikro-orm/postgresql';
import { hasRole, Role, type Viewer } from '../../../lib/auth.js';
import { badInput, forbidden, notFound } from '../../../lib/errors.js';
import { isUuid } from '../../../lib/ids.js';
import {
  bucketId,
  periodOfDay,
  reportPeriods,
  UPTIME_TARGET,
  type Granularity,
  type ReportPeriods,
  type ReportScope,
} from '../../../lib/reports.js';
import { Station } from '../entities/station.entity.js';
import { OutageExclusion, OutageExclusionReason } from '../entities/outage-exclusion.entity.js';
import type {
  FaultCount,
  OperatorReport,
  PortUptime,
  ReportBucket,
  StationReport,
  StationUptime,
} from '../resolvers/types/report.types.js';
import { ReportGranularity } from '../resolvers/types/report.types.js';
import { uptimeOf, utilisationOf } from './uptime.js';

type PortRow = FigureRow & { label: string; charger_id: string; evse_id: number; connector_id: number };

interface FigureRow {
  observed_ms: string;
  down_ms: string;
  excluded_ms: string;
  maintenance_ms: string;
  occupied_ms: string;
  faults: Record<string, number> | null;
}

const SUMS = `sum(observed_ms) as observed_ms, sum(down_ms) as down_ms, sum(excluded_ms) as excluded_ms,
  sum(maintenance_ms) as maintenance_ms, sum(occupied_ms) as occupied_ms`;

const MINUTE = 60_000;

/**
 * Uptime and usage reports, read from the rollup tables (report-rollup.ts) — never from raw status
 * rows. Operators see their own stations; admins and auditors any, and every operator's together.
 */
export class ReportService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
  ) {}

  private mayReadAll(): boolean {
    return hasRole(this.viewer, Role.ADMIN, Role.AUDITOR);
  }

  async stationReport(
    stationId: string,
    granularity: Granularity,
    from: string,
    to: string,
  ): Promise<StationReport> {
    const station = isUuid(stationId) ? await this.em.findOne(Station, { id: stationId }) : null;
    if (!station) throw notFound('Station', stationId);
    if (station.operatorId !== this.viewer.userId && !this.mayReadAll())
      throw forbidden('Only the station’s operator, admins and auditors read its reports');
    const periods = reportPeriods(granularity, from, to);
    const scope: ReportScope = { station: station.id };
    const { rows } = periods;
    const [byPeriod, [mark]] = await Promise.all([
      this.em.execute<PortRow[]>(
        `select label, charger_id, evse_id, connector_id, observed_ms, down_ms, excluded_ms, maintenance_ms,
                occupied_ms, faults
           from "station"."port_rollup" where station_id = ? and granularity = ? and label >= ? and label < ?
          order by label, charger_id, evse_id, connector_id`,
        [station.id, rows.granularity, rows.first, rows.end],
      ),
      this.em.execute<{ rolled_until: Date }[]>(
        `select rolled_until from "station"."report_watermark" where station_id = ?`,
        [station.id],
      ),
    ]);
    // Faults the chargers reported as a whole are only in the station rows.
    const stationRows = await this.em.execute<(FigureRow & { label: string })[]>(
      `select label, observed_ms, down_ms, excluded_ms, maintenance_ms, occupied_ms, faults
         from "station"."station_rollup" where station_id = ? and granularity = ? and label >= ? and label < ?`,
      [station.id, rows.granularity, rows.first, rows.end],
    );
    const buckets = this.buckets(scope, periods, stationRows);
    // Each port's rows summed per bucket (a MONTH bucket has one a day) and over the whole period,
    // before any ratio.
    const perPort = new Map<string, PortRow>();
    const wholePeriod = new Map<string, PortRow>();
    const addTo = (sums: Map<string, PortRow>, key: string, r: PortRow, label: string) => {
      const sum = sums.get(key);
      if (!sum) sums.set(key, { ...r, label });
      else
        for (const c of ['observed_ms', 'down_ms', 'excluded_ms', 'maintenance_ms', 'occupied_ms'] as const)
          sum[c] = String(Number(sum[c]) + Number(r[c]));
    };
    for (const r of byPeriod) {
      const period = periodOfDay(granularity, r.label);
      const port = `${r.charger_id}|${r.evse_id}|${r.connector_id}`;
      addTo(perPort, `${period}|${port}`, r, period);
      addTo(wholePeriod, port, r, '');
    }
    const index = new Map(buckets.map((b) => [b.period, b]));
    for (const r of perPort.values()) index.get(r.label)?.ports!.push(portUptime(r));
    const byPort = [...wholePeriod.values()].sort(
      (a, b) =>
        (a.charger_id < b.charger_id ? -1 : a.charger_id > b.charger_id ? 1 : 0) ||
        a.evse_id - b.evse_id ||
        a.connector_id - b.connector_id,
    );
    return {
      station,
      granularity: granularity as ReportGranularity,
      from,
      to,
      timezone: station.timezone,
      rolledUpTo: mark?.rolled_until ? new Date(mark.rolled_until) : null,
      uptimeTarget: UPTIME_TARGET,
      ports: byPort.map(portUptime),
      buckets,
    };
  }

  async operatorReport(
    granularity: Granularity,
    from: string,
    to: string,
    operatorId: string | null,
  ): Promise<OperatorReport> {
    let operator = operatorId;
    if (!this.mayReadAll()) {
      if (operator && operator !== this.viewer.userId)
        throw forbidden('Operators read their own report; admins and auditors anyone’s');
      operator = this.viewer.userId;
    }
    if (operator && !isUuid(operator)) throw badInput('operatorId is not an id', 'operatorId');
    const periods = reportPeriods(granularity, from, to);
    const scope: ReportScope = operator ? { operator } : { all: true };
    const { rows } = periods;
    const filter = `${operator ? 'operator_id = ? and ' : ''}granularity = ? and label >= ? and label < ?`;
    const params = [...(operator ? [operator] : []), rows.granularity, rows.first, rows.end];
    const [sums, perStation, [mark]] = await Promise.all([
      // The operator's own sums (every operator's rows, added up below, for `all`).
      this.em.execute<(FigureRow & { label: string })[]>(
        `select label, observed_ms, down_ms, excluded_ms, maintenance_ms, occupied_ms, faults
           from "station"."operator_rollup" where ${filter}`,
        params,
      ),
      this.em.execute<(FigureRow & { station_id: string })[]>(
        `select station_id, ${SUMS}, null as faults from "station"."station_rollup"
          where ${filter} group by station_id`,
        params,
      ),
      this.em.execute<{ rolled_until: Date | null }[]>(
        `select min(w.rolled_until) as rolled_until from "station"."report_watermark" w
           join "station"."station" s on s.id = w.station_id ${operator ? 'where s.operator_id = ?' : ''}`,
        operator ? [operator] : [],
      ),
    ]);
    const stations = perStation.length
      ? await this.em.find(Station, { id: { $in: perStation.map((r) => r.station_id) } })
      : [];
    const byId = new Map(stations.map((s) => [s.id, s]));
    const summaries: StationUptime[] = perStation
      .filter((r) => byId.has(r.station_id))
      .map((r) => {
        const f = figures(r);
        const uptime = uptimeOf(f);
        return {
          station: byId.get(r.station_id)!,
          uptime,
          utilisation: utilisationOf(f),
          downtimeMinutes: f.downMs / MINUTE,
          meetsTarget: uptime !== null && uptime >= UPTIME_TARGET,
        };
      })
      .sort((a, b) => (a.uptime ?? -1) - (b.uptime ?? -1));
    return {
      operatorId: operator,
      granularity: granularity as ReportGranularity,
      from,
      to,
      rolledUpTo: mark?.rolled_until ? new Date(mark.rolled_until) : null,
      uptimeTarget: UPTIME_TARGET,
      stations: summaries,
      buckets: this.buckets(scope, periods, sums, false),
    };
  }

  /** One bucket per period, the rows (by label) summed into the period they fall in. */
  private buckets(
    scope: ReportScope,
    periods: ReportPeriods,
    rows: (FigureRow & { label: string })[],
    withPorts = true,
  ): ReportBucket[] {
    const totals = new Map(
      periods.labels.map((l) => [l, { ...zero(), faults: {} as Record<string, number> }]),
    );
    for (const r of rows) {
      const t = totals.get(periodOfDay(periods.granularity, r.label));
      if (!t) continue;
      const f = figures(r);
      t.observedMs += f.observedMs;
      t.downMs += f.downMs;
      t.excludedMs += f.excludedMs;
      t.maintenanceMs += f.maintenanceMs;
      t.occupiedMs += f.occupiedMs;
      for (const [code, n] of Object.entries(r.faults ?? {}))
        t.faults[code] = (t.faults[code] ?? 0) + Number(n);
    }
    return periods.labels.map((label) => {
      const t = totals.get(label)!;
      return {
        id: bucketId(scope, periods, label),
        period: label,
        uptime: uptimeOf(t),
        utilisation: utilisationOf(t),
        observedPortHours: t.observedMs / 3_600_000,
        downtimeMinutes: t.downMs / MINUTE,
        excludedDowntimeMinutes: t.excludedMs / MINUTE,
        plannedMaintenanceMinutes: t.maintenanceMs / MINUTE,
        faults: faultList(t.faults),
        ports: withPorts ? [] : null,
      };
    });
  }

  /**
   * Writes down an outage the operator is not responsible for; its station's figures from its start
   * on are computed again. The station's operator or an admin.
   */
  async recordExclusion(input: {
    stationId: string;
    chargerId?: string | null;
    evseId?: number | null;
    startsAt: Date;
    endsAt: Date;
    reason: OutageExclusionReason;
    note: string;
  }): Promise<OutageExclusion> {
    const station = isUuid(input.stationId) ? await this.em.findOne(Station, { id: input.stationId }) : null;
    if (!station) throw notFound('Station', input.stationId);
    if (station.operatorId !== this.viewer.userId && !hasRole(this.viewer, Role.ADMIN))
      throw forbidden('Only the station’s operator or an admin records its outages');
    if (input.evseId != null && input.chargerId == null)
      throw badInput('An EVSE needs its chargerId', 'chargerId');
    if (input.chargerId != null) {
      const [charger] = isUuid(input.chargerId)
        ? await this.em.execute<{ id: string }[]>(
            `select id from "station"."charger" where id = ? and station_id = ?`,
            [input.chargerId, station.id],
          )
        : [];
      if (!charger) throw notFound('Charger', input.chargerId);
    }
    if (!(input.endsAt > input.startsAt)) throw badInput('endsAt must be after startsAt', 'endsAt');
    if (input.endsAt.getTime() - input.startsAt.getTime() > 90 * 86_400_000)
      throw badInput('An exclusion covers at most 90 days', 'endsAt');
    if (input.startsAt.getTime() > Date.now())
      throw badInput('Exclusions record outages that began', 'startsAt');
    const note = input.note.trim();
    if (!note || note.length > 1000) throw badInput('note must be 1–1000 characters', 'note');
    const exclusion = this.em.create(OutageExclusion, {
      stationId: station.id,
      chargerId: input.chargerId ?? null,
      evseId: input.evseId ?? null,
      startsAt: input.startsAt,
      endsAt: input.endsAt,
      reason: input.reason,
      note,
      createdBy: this.viewer.userId!,
    });
    await this.em.transactional(async (tx) => {
      tx.persist(exclusion);
      await tx.flush();
      await tx.execute(
        `update "station"."report_watermark"
            set rolled_until = least(rolled_until, date_trunc('hour', ?::timestamptz)), changes = changes + 1
          where station_id = ?`,
        [input.startsAt, station.id],
      );
    });
    return exclusion;
  }

  async exclusions(station: Station, from?: Date | null, to?: Date | null): Promise<OutageExclusion[]> {
    if (station.operatorId !== this.viewer.userId && !this.mayReadAll()) return [];
    return this.em.find(
      OutageExclusion,
      {
        stationId: station.id,
        ...(to ? { startsAt: { $lt: to } } : {}),
        ...(from ? { endsAt: { $gt: from } } : {}),
      },
      { orderBy: { startsAt: 'desc' }, limit: 200 },
    );
  }
}

const zero = () => ({ observedMs: 0, downMs: 0, excludedMs: 0, maintenanceMs: 0, occupiedMs: 0 });

const figures = (r: FigureRow) => ({
  observedMs: Number(r.observed_ms),
  downMs: Number(r.down_ms),
  excludedMs: Number(r.excluded_ms),
  maintenanceMs: Number(r.maintenance_ms),
  occupiedMs: Number(r.occupied_ms),
});

function portUptime(
  r: FigureRow & { charger_id: string; evse_id: number; connector_id: number },
): PortUptime {
  const f = figures(r);
  const uptime = uptimeOf(f);
  return {
    chargerId: r.charger_id,
    evseId: r.evse_id,
    connectorId: r.connector_id,
    uptime,
    utilisation: utilisationOf(f),
    downtimeMinutes: f.downMs / MINUTE,
    excludedDowntimeMinutes: f.excludedMs / MINUTE,
    meetsTarget: uptime !== null && uptime >= UPTIME_TARGET,
  };
}

const faultList = (faults: Record<string, number>): FaultCount[] =>
  Object.entries(faults)
    .map(([errorCode, count]) => ({ errorCode, count }))
    .sort((a, b) => b.count - a.count || a.errorCode.localeCompare(b.errorCode));
