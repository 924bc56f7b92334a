import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { hasRole, Role, type Viewer } from '../../../lib/auth.js';
import { AppError, badInput, ErrorCode, forbidden, notFound, parseInput } from '../../../lib/errors.js';
import { entityId, inputId } from '../../../lib/ids.js';
import { Community } from '../entities/community.entity.js';
import { MeterKind, OrderSide, OrderStatus } from '../entities/enums.js';
import { Meter } from '../entities/meter.entity.js';
import { MarketOrder } from '../entities/order.entity.js';
import { Site } from '../entities/site.entity.js';
import type { PlaceOrderInput } from '../resolvers/types/order.types.js';
import type { EscrowBook } from './escrow.js';
import { gateClosureOf, isIntervalStart } from './intervals.js';
import type { SiteService } from './site.service.js';

/**
 * Within a transaction: waits for a clearing of the community that is under way (it holds the
 * community row) and refuses when the interval has been cleared, so that no order slips into a
 * book after its clearing has read it.
 */
async function bookStillOpen(tx: EntityManager, communityId: string, intervalStart: number) {
  await tx.execute('select 1 from "market"."community" where id = ? for share', [communityId]);
  const [cleared] = (await tx.execute(
    'select 1 from "market"."clearing" where community_id = ? and interval_start = ?',
    [communityId, new Date(intervalStart)],
  )) as unknown[];
  if (cleared)
    throw new AppError(ErrorCode.BAD_USER_INPUT, 'This interval has been cleared', {
      field: 'intervalStart',
      reason: 'GATE_CLOSED',
    });
}

/** BAD_USER_INPUT unless `start` (ms) begins one of the community's intervals. */
function checkIntervalStart(start: number, community: Community) {
  if (!Number.isFinite(start) || !isIntervalStart(start, community))
    throw badInput(
      `intervalStart must start a ${community.intervalMinutes}-minute interval`,
      'intervalStart',
    );
}

/** Orders may be placed this far ahead of their interval at most. */
const MAX_DAYS_AHEAD = 7;
export const MAX_ORDER_WH = 10_000_000;

const SELLING_METERS = [MeterKind.PRODUCTION, MeterKind.BIDIRECTIONAL];
const BUYING_METERS = [MeterKind.CONSUMPTION, MeterKind.BIDIRECTIONAL];

/**
 * What a bid holds of the buyer's escrow while it is open: the most it can cost,
 * ⌈energyWh × limitPricePerKwh / 1,000⌉ token units (rounded up, so the hold always covers the
 * trade's gross, which convention 5 of clearing.ts rounds down).
 */
export const bidHold = (energyWh: number, limitPricePerKwh: number) =>
  Math.ceil((energyWh * limitPricePerKwh) / 1000);

export interface PriceLevel {
  side: OrderSide;
  pricePerKwh: number;
  energyWh: number;
  orders: number;
}

/** Placing and cancelling orders, and the order book as members see it. */
export class OrderService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
    private readonly sites: SiteService,
    private readonly escrow: EscrowBook,
    private readonly refusal: (userId: string) => Promise<string | null>,
  ) {}

  async place(input: PlaceOrderInput, now = Date.now()): Promise<MarketOrder> {
    const userId = this.viewer.userId!;
    const community = await this.em.findOne(Community, { id: inputId(input.communityId, 'communityId') });
    if (!community) throw notFound('Community', input.communityId);
    const data = parseInput(
      z.object({
        energyWh: z.number().int().min(1).max(MAX_ORDER_WH),
        limitPricePerKwh: z
          .number()
          .int()
          .min(
            community.priceFloorPerKwh,
            `limitPricePerKwh must be at least the floor, ${community.priceFloorPerKwh}`,
          )
          .max(
            community.priceCapPerKwh,
            `limitPricePerKwh must be at most the cap, ${community.priceCapPerKwh}`,
          ),
      }),
      input,
    );
    const start = input.intervalStart.getTime();
    checkIntervalStart(start, community);
    if (gateClosureOf(start, community) <= now)
      throw new AppError(ErrorCode.BAD_USER_INPUT, 'Gate closure has passed for this interval', {
        field: 'intervalStart',
        reason: 'GATE_CLOSED',
      });
    if (start > now + MAX_DAYS_AHEAD * 24 * 3600_000)
      throw badInput(`intervalStart may be at most ${MAX_DAYS_AHEAD} days ahead`, 'intervalStart');
    const refusal = await this.refusal(userId);
    if (refusal)
      throw new AppError(
        ErrorCode.FORBIDDEN,
        'Verify your email before you placeOrder: see the mail we sent',
        {
          reason: refusal,
        },
      );
    if (!(await this.sites.isMember(community.id, userId)))
      throw forbidden('Join the community (its invite code) before you trade in it');

    if (input.side === OrderSide.SELL) {
      if (!hasRole(this.viewer, Role.HOST, Role.ADMIN)) throw forbidden('Selling needs the HOST role');
      const site = await this.sellingSite(community.id, input.siteId ?? null);
      return this.em.transactional(async (tx) => {
        await bookStillOpen(tx, community.id, start);
        const order = tx.create(MarketOrder, {
          communityId: community.id,
          intervalStart: new Date(start),
          userId,
          siteId: site.id,
          side: OrderSide.SELL,
          energyWh: data.energyWh,
          limitPricePerKwh: data.limitPricePerKwh,
        });
        await tx.flush();
        return order;
      });
    }
    if (!hasRole(this.viewer, Role.BUYER, Role.HOST, Role.ADMIN))
      throw forbidden('Buying needs the BUYER (or HOST) role');
    if ((await this.buyerMeters(community.id, userId)).length === 0)
      throw new AppError(
        ErrorCode.FORBIDDEN,
        'Buying needs a consumption or bidirectional meter on a site of yours in this community: delivery is checked against it',
        { reason: 'NO_METER' },
      );
    const hold = bidHold(data.energyWh, data.limitPricePerKwh);
    // One bid per buyer at a time passes the escrow check (the lock lasts until this transaction ends).
    return this.em.transactional(async (tx) => {
      await bookStillOpen(tx, community.id, start);
      await tx.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`bids:${userId}`]);
      const { free, held } = await this.escrow.standing(tx, userId);
      if (free - held < hold)
        throw new AppError(
          ErrorCode.FORBIDDEN,
          `Not enough free escrow: this bid holds ${hold} token units, ${Math.max(0, free - held)} are free`,
          { reason: 'INSUFFICIENT_ESCROW', needed: hold, free: Math.max(0, free - held) },
        );
      const order = tx.create(MarketOrder, {
        communityId: community.id,
        intervalStart: new Date(start),
        userId,
        side: OrderSide.BUY,
        energyWh: data.energyWh,
        limitPricePerKwh: data.limitPricePerKwh,
      });
      await tx.flush();
      return order;
    });
  }

  /** The caller's site that sells: the one named, else their only site with a selling meter. */
  private async sellingSite(communityId: string, siteId: string | null): Promise<Site> {
    const sites = await this.em.find(Site, {
      communityId,
      ownerId: this.viewer.userId!,
      ...(siteId ? { id: inputId(siteId, 'siteId') } : {}),
    });
    const metered = await this.em.find(Meter, {
      siteId: { $in: sites.map((s) => s.id) },
      kind: { $in: SELLING_METERS },
    });
    const eligible = sites.filter((s) => metered.some((m) => m.siteId === s.id));
    if (eligible.length === 0)
      throw new AppError(
        ErrorCode.FORBIDDEN,
        'Selling needs a site of yours in this community with a production or bidirectional meter',
        { reason: 'NO_METER' },
      );
    if (eligible.length > 1) throw badInput('You have several sites here: name the one that sells', 'siteId');
    return eligible[0]!;
  }

  /** The buyer's meters that delivery to them is checked against. */
  async buyerMeters(communityId: string, userId: string): Promise<Meter[]> {
    const sites = await this.em.find(Site, { communityId, ownerId: userId });
    return this.em.find(Meter, { siteId: { $in: sites.map((s) => s.id) }, kind: { $in: BUYING_METERS } });
  }

  async cancel(id: string, now = Date.now()): Promise<MarketOrder> {
    const order = await this.em.findOne(MarketOrder, { id: entityId(id, 'Order') });
    if (!order || order.userId !== this.viewer.userId) throw notFound('Order', id);
    const community = await this.em.findOneOrFail(Community, { id: order.communityId });
    if (gateClosureOf(order.intervalStart.getTime(), community) <= now)
      throw new AppError(ErrorCode.BAD_USER_INPUT, 'Gate closure has passed for this interval', {
        reason: 'GATE_CLOSED',
      });
    await this.em.transactional(async (tx) => {
      await bookStillOpen(tx, order.communityId, order.intervalStart.getTime());
      const changed = await tx.nativeUpdate(
        MarketOrder,
        { id: order.id, state: 'OPEN' },
        { state: 'CANCELLED' },
      );
      if (changed === 0) throw new AppError(ErrorCode.CONFLICT, 'The order is cancelled already');
    });
    order.state = 'CANCELLED';
    return (await this.withOutcomes([order]))[0]!;
  }

  /**
   * Sets each order's `status` and `filledWh` from what is stored: CANCELLED as such; OPEN until its
   * interval has a clearing; then the sum of its trades' energy makes it FILLED, PARTIALLY_FILLED
   * or UNMATCHED. One query for the lot.
   */
  async withOutcomes(orders: MarketOrder[]): Promise<MarketOrder[]> {
    if (orders.length === 0) return orders;
    const rows = (await this.em.execute(
      `select o.id,
              exists (select 1 from "market"."clearing" k
                       where k.community_id = o.community_id and k.interval_start = o.interval_start) as cleared,
              coalesce((select sum(t.energy_wh) from "market"."trade" t
                         where t.community_id = o.community_id and t.interval_start = o.interval_start
                           and (t.sell_order_id = o.id or t.buy_order_id = o.id)), 0)::int as filled
         from "market"."order" o where o.id in (${orders.map(() => '?').join(', ')})`,
      orders.map((o) => o.id),
    )) as { id: string; cleared: boolean; filled: number }[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const o of orders) {
      const r = byId.get(o.id);
      o.filledWh = r?.filled ?? 0;
      o.status =
        o.state === 'CANCELLED'
          ? OrderStatus.CANCELLED
          : !r?.cleared
            ? OrderStatus.OPEN
            : o.filledWh === 0
              ? OrderStatus.UNMATCHED
              : o.filledWh === o.energyWh
                ? OrderStatus.FILLED
                : OrderStatus.PARTIALLY_FILLED;
    }
    return orders;
  }

  async mine(communityId: string | null, first: number): Promise<MarketOrder[]> {
    const orders = await this.em.find(
      MarketOrder,
      {
        userId: this.viewer.userId!,
        ...(communityId ? { communityId: inputId(communityId, 'communityId') } : {}),
      },
      { orderBy: { placedAt: 'desc', id: 'desc' }, limit: Math.min(Math.max(first, 1), 500) },
    );
    return this.withOutcomes(orders);
  }

  /**
   * The open orders of one interval, summed per side and price: members, the operator, auditors
   * and admins see it; nobody sees whose orders they are.
   */
  async book(communityId: string, intervalStart: Date): Promise<PriceLevel[]> {
    const community = await this.em.findOne(Community, { id: inputId(communityId, 'communityId') });
    if (!community) throw notFound('Community', communityId);
    const privileged =
      hasRole(this.viewer, Role.ADMIN, Role.AUDITOR) || community.operatorId === this.viewer.userId;
    if (!privileged && !(await this.sites.isMember(community.id, this.viewer.userId!)))
      throw forbidden('Only the community’s members see its order book');
    checkIntervalStart(intervalStart.getTime(), community);
    const rows = (await this.em.execute(
      `select side, limit_price_per_kwh as price, sum(energy_wh)::bigint as energy, count(*)::int as orders
         from "market"."order" o where community_id = ? and interval_start = ? and status = 'OPEN'
          and not exists (select 1 from "market"."clearing" k
                           where k.community_id = o.community_id and k.interval_start = o.interval_start)
        group by side, limit_price_per_kwh
        order by side, case when side = 'BUY' then -limit_price_per_kwh else limit_price_per_kwh end`,
      [community.id, intervalStart],
    )) as { side: OrderSide; price: number; energy: string; orders: number }[];
    return rows.map((r) => ({
      side: r.side,
      pricePerKwh: r.price,
      energyWh: Number(r.energy),
      orders: r.orders,
    }));
  }
}
