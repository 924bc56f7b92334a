import type pg from 'pg';
import { reportPeriods, type Granularity } from '../../../lib/reports.js';
import { startOfLocalDay } from '../../../lib/time-zones.js';
import type { MarketReport, MarketReportBucket } from '../resolvers/types/market.types.js';
import type { ReportGranularity } from '../../../lib/report-granularity.js';

/**
 * A community's market per period, summed from its clearing rows — one per interval, carrying the
 * interval's volume and price from the clearing and its delivered, paid and consumed totals from the
 * delivery check (market.ts deliver): the rollup, so no trade or reading row is read here. Intervals
 * belong to the period they start in; DAY and MONTH follow the community's time zone.
 */
export async function marketReport(
  pool: pg.Pool,
  community: { id: string; timezone: string },
  granularity: Granularity,
  from: string,
  to: string,
): Promise<MarketReport> {
  const periods = reportPeriods(granularity, from, to);
  const tz = community.timezone;
  const [start, end] =
    granularity === 'HOUR'
      ? [new Date(periods.rows.first), new Date(periods.rows.end)]
      : [new Date(startOfLocalDay(from, tz)), new Date(startOfLocalDay(to, tz))];
  const label =
    granularity === 'HOUR'
      ? `to_char(date_trunc('hour', interval_start) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:00:00.000"Z"')`
      : `to_char(interval_start at time zone $4, '${granularity === 'MONTH' ? 'YYYY-MM' : 'YYYY-MM-DD'}')`;
  const { rows } = await pool.query<{
    label: string;
    n: number;
    checked: number;
    volume: string;
    weighted: string;
    checked_volume: string;
    amount: string;
    delivered: string;
    consumed: string;
  }>(
    `select ${label} as label, count(*)::int as n, count(delivery_checked_at)::int as checked,
            coalesce(sum(volume_wh), 0) as volume, coalesce(sum(volume_wh * price_per_kwh), 0) as weighted,
            coalesce(sum(volume_wh) filter (where delivery_checked_at is not null), 0) as checked_volume,
            coalesce(sum(traded_amount), 0) as amount, coalesce(sum(delivered_wh), 0) as delivered,
            coalesce(sum(consumed_wh), 0) as consumed
       from "market"."clearing" where community_id = $1 and interval_start >= $2 and interval_start < $3
      group by 1`,
    [community.id, start.toISOString(), end.toISOString(), ...(granularity === 'HOUR' ? [] : [tz])],
  );
  const byLabel = new Map(rows.map((r) => [r.label, r]));
  const buckets: MarketReportBucket[] = periods.labels.map((period) => {
    const r = byLabel.get(period);
    const volumeWh = Number(r?.volume ?? 0);
    const checkedVolume = Number(r?.checked_volume ?? 0);
    const deliveredWh = Number(r?.delivered ?? 0);
    const consumedWh = Number(r?.consumed ?? 0);
    return {
      period,
      intervals: r?.n ?? 0,
      checkedIntervals: r?.checked ?? 0,
      volumeWh,
      averagePrice: volumeWh > 0 ? Number(r!.weighted) / volumeWh : null,
      tradedAmount: Number(r?.amount ?? 0),
      deliveredWh,
      deliveredShare: checkedVolume > 0 ? deliveredWh / checkedVolume : null,
      consumedWh,
      selfSufficiency: consumedWh > 0 ? deliveredWh / consumedWh : null,
    };
  });
  return {
    communityId: community.id,
    granularity: granularity as ReportGranularity,
    from,
    to,
    timezone: tz,
    buckets,
  };
}
