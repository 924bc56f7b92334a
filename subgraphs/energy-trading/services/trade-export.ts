import type { EntityManager } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import { hasRole, Role, type Viewer } from '../../../lib/auth.js';
import { CSV_PAGE, issueCsvExport, streamCsv } from '../../../lib/csv-export.js';
import { DOWNLOAD_PATH_PREFIX, type DownloadRoute } from '../../../lib/downloads.js';
import { isUuid } from '../../../lib/ids.js';

export const TRADES_CSV_PATH = `${DOWNLOAD_PATH_PREFIX}trades.csv`;

/** A short-lived link to the viewer's trades of intervals from–to (optionally one community), as CSV. */
export const issueTradeExport = (
  redis: Redis,
  prefix: string,
  viewer: Viewer,
  from: Date,
  to: Date,
  communityId: string | null,
) =>
  issueCsvExport(
    redis,
    prefix,
    viewer,
    { service: 'energy', path: TRADES_CSV_PATH, name: 'trades' },
    from,
    to,
    {
      field: 'communityId',
      id: communityId,
    },
  );

const COLUMNS = [
  'trade_id',
  'community_id',
  'interval_start',
  'seller_site_id',
  'seller_id',
  'buyer_id',
  'traded_wh',
  'delivered_wh',
  'price_per_kwh_units',
  'gross_units',
  'fee_units',
  'seller_units',
  'status',
  'settlement_status',
  'settlement_tx_hash',
];

interface Row {
  id: string;
  community_id: string;
  interval_start: string;
  seller_site_id: string;
  seller_id: string;
  buyer_id: string;
  energy_wh: number;
  delivered_wh: number | null;
  price_per_kwh: number;
  gross_amount: string;
  fee: string;
  seller_amount: string;
  status: string;
  settlement_status: string | null;
  settlement_tx_hash: string | null;
}

/**
 * `GET /internal/downloads/trades.csv?from&to[&communityId]`: the trades of intervals that started in
 * the period — every trade for admins and auditors, otherwise those the viewer bought in, sold in, or
 * sold from a site they hold a share of — oldest first. Amounts in the settlement token's base units.
 */
export const tradeExportRoute: DownloadRoute = async (_req, res, { viewer, em, url }) => {
  if (url.pathname !== TRADES_CSV_PATH) return false;
  const from = new Date(url.searchParams.get('from') ?? '');
  const to = new Date(url.searchParams.get('to') ?? '');
  const communityId = url.searchParams.get('communityId');
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || (communityId && !isUuid(communityId))) {
    res.writeHead(404).end();
    return true;
  }
  const all = hasRole(viewer, Role.ADMIN, Role.AUDITOR);
  await streamCsv<Row>(
    res,
    COLUMNS,
    (after) => {
      const where = ['t.interval_start >= ?', 't.interval_start < ?'];
      const params: unknown[] = [from, to];
      if (!all) {
        where.push(`(t.buyer_id = ? or t.seller_id = ? or t.seller_site_id in
          (select site_id from "market"."site_share" where user_id = ?))`);
        params.push(viewer.userId, viewer.userId, viewer.userId);
      }
      if (communityId) {
        where.push('t.community_id = ?');
        params.push(communityId);
      }
      if (after) {
        where.push('(t.interval_start, t.id) > (?::timestamptz, ?::uuid)');
        params.push(after.interval_start, after.id);
      }
      return (em as EntityManager).execute<Row[]>(
        `select t.id, t.community_id,
                to_char(t.interval_start at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as interval_start,
                t.seller_site_id, t.seller_id, t.buyer_id, t.energy_wh, t.delivered_wh, t.price_per_kwh,
                t.gross_amount, t.fee, t.seller_amount, t.status, t.settlement_status, t.settlement_tx_hash
           from "market"."trade" t where ${where.join(' and ')}
          order by t.interval_start, t.id limit ${CSV_PAGE}`,
        params,
      );
    },
    (r) => [
      r.id,
      r.community_id,
      r.interval_start,
      r.seller_site_id,
      r.seller_id,
      r.buyer_id,
      r.energy_wh,
      r.delivered_wh ?? '',
      r.price_per_kwh,
      r.gross_amount,
      r.fee,
      r.seller_amount,
      r.status,
      r.settlement_status ?? '',
      r.settlement_tx_hash ?? '',
    ],
  );
  return true;
};
