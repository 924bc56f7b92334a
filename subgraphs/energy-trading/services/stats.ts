import type pg from 'pg';
import type { MarketStats } from '../resolvers/types/market.types.js';

/**
 * A community's market over [from, to): clearings' volume and volume-weighted price, what buyers
 * pay, delivered energy (checked intervals), and self-sufficiency = delivered ÷ what the members'
 * CONSUMPTION and BIDIRECTIONAL meters imported in those intervals.
 */
export async function marketStats(
  pool: pg.Pool,
  communityId: string,
  from: Date,
  to: Date,
): Promise<MarketStats> {
  const args = [communityId, from.toISOString(), to.toISOString()];
  const [clearings, trades, consumed] = await Promise.all([
    pool.query<{ n: number; volume: string; weighted: string }>(
      `select count(*)::int as n, coalesce(sum(volume_wh), 0) as volume,
              coalesce(sum(volume_wh * price_per_kwh), 0) as weighted
         from "market"."clearing" where community_id = $1 and interval_start >= $2 and interval_start < $3`,
      args,
    ),
    pool.query<{ gross: string; delivered: string }>(
      `select coalesce(sum(gross_amount), 0) as gross, coalesce(sum(delivered_wh), 0) as delivered
         from "market"."trade" where community_id = $1 and interval_start >= $2 and interval_start < $3`,
      args,
    ),
    pool.query<{ wh: string }>(
      `select coalesce(sum(e.import_wh), 0) as wh from "market"."interval_energy" e
         join "market"."meter" m on m.id = e.meter_id and m.kind in ('CONSUMPTION', 'BIDIRECTIONAL')
         join "market"."site" s on s.id = m.site_id and s.community_id = $1
        where e.interval_start >= $2 and e.interval_start < $3`,
      args,
    ),
  ]);
  const volumeWh = Number(clearings.rows[0]!.volume);
  const deliveredWh = Number(trades.rows[0]!.delivered);
  const consumedWh = Number(consumed.rows[0]!.wh);
  return {
    intervals: clearings.rows[0]!.n,
    volumeWh,
    averagePrice: volumeWh > 0 ? Number(clearings.rows[0]!.weighted) / volumeWh : null,
    tradedAmount: Number(trades.rows[0]!.gross),
    deliveredWh,
    consumedWh,
    selfSufficiency: consumedWh > 0 ? deliveredWh / consumedWh : null,
  };
}
