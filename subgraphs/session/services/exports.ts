import type { EntityManager } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import { hasRole, Role, type Viewer } from '../../../lib/auth.js';
import { DOWNLOAD_PATH_PREFIX, type DownloadRoute } from '../../../lib/downloads.js';
import { isUuid } from '../../../lib/ids.js';
import { formatMoney } from './money.js';
import { CSV_PAGE, issueCsvExport, streamCsv } from '../../../lib/csv-export.js';

export const SESSIONS_CSV_PATH = `${DOWNLOAD_PATH_PREFIX}sessions.csv`;

/** The sessions a viewer's export holds: all (admins, auditors), their stations' (operators), else their own. */
function scopeOf(viewer: Viewer): { column: 'operator_id' | 'user_id' | null; id: string | null } {
  if (hasRole(viewer, Role.ADMIN, Role.AUDITOR)) return { column: null, id: null };
  if (hasRole(viewer, Role.OPERATOR)) return { column: 'operator_id', id: viewer.userId };
  return { column: 'user_id', id: viewer.userId };
}

/** A short-lived link to the viewer's sessions that started from–to (optionally at one station), as CSV. */
export const issueSessionExport = (
  redis: Redis,
  prefix: string,
  viewer: Viewer,
  from: Date,
  to: Date,
  stationId: string | null,
) =>
  issueCsvExport(
    redis,
    prefix,
    viewer,
    { service: 'session', path: SESSIONS_CSV_PATH, name: 'sessions' },
    from,
    to,
    {
      field: 'stationId',
      id: stationId,
    },
  );

const COLUMNS = [
  'session_id',
  'station_id',
  'charger_identity',
  'evse_id',
  'transaction_id',
  'status',
  'started_at',
  'stopped_at',
  'energy_wh',
  'currency',
  'cost',
  'energy_cost',
  'time_cost',
  'idle_cost',
  'session_fee',
  'settlement_status',
  'settlement_tx_hash',
];

interface Row {
  id: string;
  station_id: string;
  charger_identity: string;
  evse_id: number;
  transaction_id: string;
  status: string;
  started_at: string;
  stopped_at: string | null;
  energy_wh: number;
  currency: string;
  cost_micros: string | null;
  cost_breakdown: Record<string, number> | null;
  settlement_status: string | null;
  settlement_tx_hash: string | null;
}

const money = (micros: number | string | null | undefined) =>
  micros == null ? '' : formatMoney(Number(micros));

/**
 * `GET /internal/downloads/sessions.csv?from&to[&stationId]`: the viewer's sessions that started in the
 * period, oldest first, as CSV (RFC 4180, a header row; amounts as decimals of the session's currency),
 * read a thousand at a time and written as the client takes them.
 */
export const sessionExportRoute: DownloadRoute = async (_req, res, { viewer, em, url }) => {
  if (url.pathname !== SESSIONS_CSV_PATH) return false;
  const from = new Date(url.searchParams.get('from') ?? '');
  const to = new Date(url.searchParams.get('to') ?? '');
  const stationId = url.searchParams.get('stationId');
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || (stationId && !isUuid(stationId))) {
    res.writeHead(404).end();
    return true;
  }
  const scope = scopeOf(viewer);
  await streamCsv<Row>(
    res,
    COLUMNS,
    (after) => {
      const where = ['started_at >= ?', 'started_at < ?'];
      const params: unknown[] = [from, to];
      if (scope.column) {
        where.push(`${scope.column} = ?`);
        params.push(scope.id);
      }
      if (stationId) {
        where.push('station_id = ?');
        params.push(stationId);
      }
      if (after) {
        where.push('(started_at, id) > (?::timestamptz, ?::uuid)');
        params.push(after.started_at, after.id);
      }
      return (em as EntityManager).execute<Row[]>(
        `select id, station_id, charger_identity, evse_id, transaction_id, status,
                to_char(started_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as started_at,
                to_char(stopped_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as stopped_at,
                energy_wh, currency, cost_micros, cost_breakdown, settlement_status, settlement_tx_hash
           from "session"."charging_session" where ${where.join(' and ')}
          order by started_at, id limit ${CSV_PAGE}`,
        params,
      );
    },
    (r) => {
      const b = r.cost_breakdown;
      return [
        r.id,
        r.station_id,
        r.charger_identity,
        r.evse_id,
        r.transaction_id,
        r.status,
        r.started_at,
        r.stopped_at ?? '',
        r.energy_wh,
        r.currency,
        money(r.cost_micros),
        money(b?.energyMicros),
        money(b?.timeMicros),
        money(b?.idleMicros),
        money(b?.sessionFeeMicros),
        r.settlement_status ?? '',
        r.settlement_tx_hash ?? '',
      ];
    },
  );
  return true;
};
