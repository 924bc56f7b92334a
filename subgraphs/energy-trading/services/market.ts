import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { inTransaction } from '../../../lib/db.js';
import { LIVE_TOPIC, type LiveEventBus } from '../../../lib/live-events.js';
import type { Logger } from '../../../lib/logger.js';
import { clearInterval, tradeAmounts, type Order } from './clearing.js';
import { intervalMs, toMs } from './intervals.js';

export interface ClearingSummary {
  communityId: string;
  intervalStart: number;
  pricePerKwh: number | null;
  volumeWh: number;
  orderCount: number;
  tradeCount: number;
  /** False when the interval had been cleared already (nothing was done). */
  fresh: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Runs an interval's clearing and its delivery check, each in one transaction, on the same Postgres
 * pool as the ORM (bulk statements: the trades of 100,000 orders are one INSERT; orders are not
 * rewritten). Each refuses to
 * run twice for an interval: the clearing row is the proof, taken under a row lock.
 */
export class Market {
  constructor(
    private readonly pool: pg.Pool,
    private readonly live: LiveEventBus | null,
    private readonly logger: Logger,
  ) {}

  /** Clears one interval: its open orders go through the auction; fills, trades and the result are stored. */
  async clear(communityId: string, intervalStart: number): Promise<ClearingSummary> {
    const summary: ClearingSummary & { tradeIds?: string[] } = await inTransaction(this.pool, async (c) => {
      const { rows: communities } = await c.query<{
        price_floor_per_kwh: number;
        price_cap_per_kwh: number;
        fee_bps: number;
      }>(
        'select price_floor_per_kwh, price_cap_per_kwh, fee_bps from "market"."community" where id = $1 for update',
        [communityId],
      );
      const community = communities[0];
      if (!community) throw new Error(`community ${communityId} does not exist`);
      const done = await c.query<{
        price_per_kwh: number | null;
        volume_wh: string;
        order_count: number;
        trade_count: number;
      }>(
        'select price_per_kwh, volume_wh, order_count, trade_count from "market"."clearing" where community_id = $1 and interval_start = $2',
        [communityId, iso(intervalStart)],
      );
      if (done.rows[0]) {
        const d = done.rows[0];
        return {
          communityId,
          intervalStart,
          pricePerKwh: d.price_per_kwh,
          volumeWh: Number(d.volume_wh),
          orderCount: d.order_count,
          tradeCount: d.trade_count,
          fresh: false,
        };
      }
      // The community row (locked above) keeps placements and cancellations out until this commits
      // (they take it FOR SHARE and then find the clearing).
      const { rows } = await c.query<{
        id: string;
        side: 'BUY' | 'SELL';
        energy_wh: number;
        limit_price_per_kwh: number;
        placed_at: Date | string;
        user_id: string;
        site_id: string | null;
      }>(
        `select id, side, energy_wh, limit_price_per_kwh, placed_at, user_id, site_id from "market"."order"
          where community_id = $1 and interval_start = $2 and status = 'OPEN'
          order by placed_at, id`,
        [communityId, iso(intervalStart)],
      );
      const orders: Order[] = rows.map((r) => ({
        id: r.id,
        side: r.side,
        energyWh: r.energy_wh,
        limitPricePerKwh: r.limit_price_per_kwh,
        placedAt: toMs(r.placed_at),
      }));
      const byId = new Map(rows.map((r) => [r.id, r]));
      const result = clearInterval(orders, {
        priceFloor: community.price_floor_per_kwh,
        priceCap: community.price_cap_per_kwh,
        feeBps: community.fee_bps,
      });
      await c.query(
        `insert into "market"."clearing" (community_id, interval_start, price_per_kwh, volume_wh, order_count, trade_count, fee_bps, cleared_at)
         values ($1, $2, $3, $4, $5, $6, $7, now())`,
        [
          communityId,
          iso(intervalStart),
          result.pricePerKwh,
          result.volumeWh,
          orders.length,
          result.trades.length,
          community.fee_bps,
        ],
      );
      // Orders are not written: each one's outcome is its trades (OrderService.withOutcomes).
      const trades = result.trades.map((t) => {
        const sell = byId.get(t.sellOrderId)!;
        const buy = byId.get(t.buyOrderId)!;
        return {
          id: randomUUID(),
          ...t,
          sellerSiteId: sell.site_id!,
          sellerId: sell.user_id,
          buyerId: buy.user_id,
        };
      });
      if (trades.length) {
        await c.query(
          `insert into "market"."trade" (id, community_id, interval_start, sell_order_id, buy_order_id, seller_site_id,
             seller_id, buyer_id, energy_wh, price_per_kwh, gross_amount, fee, seller_amount, status, created_at)
           select x.id, $1, $2, x.so, x.bo, x.site, x.seller, x.buyer, x.e, $3, x.g, x.f, x.sa, 'MATCHED', now()
             from unnest($4::uuid[], $5::uuid[], $6::uuid[], $7::uuid[], $8::uuid[], $9::uuid[], $10::int[], $11::bigint[], $12::bigint[], $13::bigint[])
                  as x(id, so, bo, site, seller, buyer, e, g, f, sa)`,
          [
            communityId,
            iso(intervalStart),
            result.pricePerKwh,
            trades.map((t) => t.id),
            trades.map((t) => t.sellOrderId),
            trades.map((t) => t.buyOrderId),
            trades.map((t) => t.sellerSiteId),
            trades.map((t) => t.sellerId),
            trades.map((t) => t.buyerId),
            trades.map((t) => t.energyWh),
            trades.map((t) => t.grossAmount),
            trades.map((t) => t.fee),
            trades.map((t) => t.sellerAmount),
          ],
        );
      }
      return {
        communityId,
        intervalStart,
        pricePerKwh: result.pricePerKwh,
        volumeWh: result.volumeWh,
        orderCount: orders.length,
        tradeCount: trades.length,
        fresh: true,
        tradeIds: trades.map((t) => t.id),
      };
    });
    if (summary.fresh) {
      this.logger.info({ ...summary, tradeIds: undefined }, 'interval cleared');
      await this.live?.publish(LIVE_TOPIC.clearingPublished, { communityId, intervalStart });
      await this.publishTrades(summary.tradeIds ?? []);
    }
    const { tradeIds: _ids, ...rest } = summary;
    return rest;
  }

  /**
   * Checks one cleared interval's delivery against the meters' interval energy:
   * - a seller site's supply is the export of its PRODUCTION and BIDIRECTIONAL meters; a buyer's
   *   intake the import of the CONSUMPTION and BIDIRECTIONAL meters on their sites in the community;
   *   a meter without that interval's energy counts as 0;
   * - when a party's trades add up to more than its metered energy, each of its trades gets a pro
   *   rata part, ⌊energyWh × metered / traded⌋ (rounded down: never more than was metered);
   * - a trade's delivered energy is the smaller of its seller's and its buyer's part, and its
   *   payable amounts are convention 5 of clearing.ts applied to the delivered energy.
   * Returns the number of trades checked, or null when the interval was checked already.
   */
  async deliver(communityId: string, intervalStart: number): Promise<number | null> {
    const checked = await inTransaction(this.pool, async (c) => {
      const { rows: clearing } = await c.query<{
        delivery_checked_at: Date | null;
        fee_bps: number;
        minutes: number;
      }>(
        `select k.delivery_checked_at, k.fee_bps, m.interval_minutes as minutes
           from "market"."clearing" k join "market"."community" m on m.id = k.community_id
          where k.community_id = $1 and k.interval_start = $2 for update of k`,
        [communityId, iso(intervalStart)],
      );
      const k = clearing[0];
      if (!k || k.delivery_checked_at) return null;
      const { rows: trades } = await c.query<{
        id: string;
        seller_site_id: string;
        buyer_id: string;
        energy_wh: number;
        price_per_kwh: number;
      }>(
        'select id, seller_site_id, buyer_id, energy_wh, price_per_kwh from "market"."trade" where community_id = $1 and interval_start = $2',
        [communityId, iso(intervalStart)],
      );
      const supply = await this.metered(
        c,
        `select s.id as party, coalesce(sum(e.export_wh), 0)::bigint as wh from "market"."site" s
           join "market"."meter" m on m.site_id = s.id and m.kind in ('PRODUCTION', 'BIDIRECTIONAL')
           left join "market"."interval_energy" e on e.meter_id = m.id and e.interval_start = $2
          where s.id = any($1::uuid[]) group by s.id`,
        [...new Set(trades.map((t) => t.seller_site_id))],
        intervalStart,
      );
      const intake = await this.metered(
        c,
        `select s.owner_id as party, coalesce(sum(e.import_wh), 0)::bigint as wh from "market"."site" s
           join "market"."meter" m on m.site_id = s.id and m.kind in ('CONSUMPTION', 'BIDIRECTIONAL')
           left join "market"."interval_energy" e on e.meter_id = m.id and e.interval_start = $2
          where s.owner_id = any($1::uuid[]) and s.community_id = $3 group by s.owner_id`,
        [...new Set(trades.map((t) => t.buyer_id))],
        intervalStart,
        communityId,
      );
      const sellerShare = proRata(
        trades.map((t) => ({ party: t.seller_site_id, wh: t.energy_wh })),
        supply,
      );
      const buyerShare = proRata(
        trades.map((t) => ({ party: t.buyer_id, wh: t.energy_wh })),
        intake,
      );
      const delivered = trades.map((t, i) => {
        const wh = Math.min(sellerShare[i]!, buyerShare[i]!);
        const amounts = tradeAmounts(wh, t.price_per_kwh, k.fee_bps);
        const status = wh === t.energy_wh ? 'DELIVERED' : wh === 0 ? 'NOT_DELIVERED' : 'PARTIALLY_DELIVERED';
        return { id: t.id, wh, ...amounts, status };
      });
      if (delivered.length) {
        await c.query(
          `update "market"."trade" t set delivered_wh = x.wh, delivered_gross_amount = x.g, delivered_fee = x.f,
                  delivered_seller_amount = x.sa, status = x.s
             from unnest($1::uuid[], $2::int[], $3::bigint[], $4::bigint[], $5::bigint[], $6::text[]) as x(id, wh, g, f, sa, s)
            where t.id = x.id`,
          [
            delivered.map((d) => d.id),
            delivered.map((d) => d.wh),
            delivered.map((d) => d.grossAmount),
            delivered.map((d) => d.fee),
            delivered.map((d) => d.sellerAmount),
            delivered.map((d) => d.status),
          ],
        );
      }
      // The interval's totals, for marketReport: delivered and paid for, and what the members consumed.
      await c.query(
        `update "market"."clearing" k set delivery_checked_at = now(),
            delivered_wh = (select coalesce(sum(t.delivered_wh), 0) from "market"."trade" t
                             where t.community_id = $1 and t.interval_start = $2),
            traded_amount = (select coalesce(sum(t.gross_amount), 0) from "market"."trade" t
                              where t.community_id = $1 and t.interval_start = $2),
            consumed_wh = (select coalesce(sum(e.import_wh), 0) from "market"."interval_energy" e
                             join "market"."meter" m on m.id = e.meter_id and m.kind in ('CONSUMPTION', 'BIDIRECTIONAL')
                             join "market"."site" s on s.id = m.site_id and s.community_id = $1
                            where e.interval_start = $2)
          where community_id = $1 and interval_start = $2`,
        [communityId, iso(intervalStart)],
      );
      // Readings for this interval from now on are late (stored, flagged, not counted).
      await c.query(
        `update "market"."community" set delivered_through = greatest(coalesce(delivered_through, $2), $2) where id = $1`,
        [communityId, iso(intervalStart + intervalMs({ intervalMinutes: k.minutes }))],
      );
      return delivered.map((d) => d.id);
    });
    if (checked === null) return null;
    await this.publishTrades(checked);
    return checked.length;
  }

  private async metered(
    c: pg.PoolClient,
    sql: string,
    parties: string[],
    intervalStart: number,
    ...more: string[]
  ) {
    if (parties.length === 0) return new Map<string, number>();
    const { rows } = await c.query<{ party: string; wh: string }>(sql, [
      parties,
      iso(intervalStart),
      ...more,
    ]);
    return new Map(rows.map((r) => [r.party, Math.max(0, Number(r.wh))]));
  }

  /** Tells each trade's parties (buyer, seller site's owner and co-owners) that it changed. */
  async publishTrades(ids: string[]): Promise<void> {
    if (!this.live || ids.length === 0) return;
    const { rows } = await this.pool.query<{ id: string; parties: string[] }>(
      `select t.id, array_remove(array_agg(distinct p.user_id) || array[t.buyer_id, t.seller_id], null) as parties
         from "market"."trade" t left join "market"."site_share" p on p.site_id = t.seller_site_id
        where t.id = any($1::uuid[]) group by t.id`,
      [ids],
    );
    for (const r of rows)
      await this.live.publish(LIVE_TOPIC.tradeUpdated, { tradeId: r.id, parties: r.parties });
  }
}

/**
 * Each trade's part of its party's metered energy: all of it when the party's trades fit, else
 * ⌊energyWh × metered / traded⌋.
 */
export function proRata(trades: { party: string; wh: number }[], metered: Map<string, number>): number[] {
  const traded = new Map<string, number>();
  for (const t of trades) traded.set(t.party, (traded.get(t.party) ?? 0) + t.wh);
  return trades.map((t) => {
    const have = metered.get(t.party) ?? 0;
    const want = traded.get(t.party)!;
    return have >= want ? t.wh : Math.floor((t.wh * have) / want);
  });
}
