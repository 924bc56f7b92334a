import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Download } from '../../../lib/csv-export.js';
import type { EnergyContext } from '../context.js';
import { Community } from '../entities/community.entity.js';
import { Site } from '../entities/site.entity.js';
import { Trade } from '../entities/trade.entity.js';
import { tradesOf } from '../services/trades.js';
import { TradeSettlement } from './types/market.types.js';
import { ARG } from '../../../lib/arg-descriptions.js';

@Resolver(() => Trade)
export class TradeResolver {
  @Authorized()
  @Query(() => [Trade], {
    description: 'Trades you bought in, or sold in from a site you own or hold a share of; newest first.',
  })
  myTrades(
    @Ctx() ctx: EnergyContext,
    @Arg('communityId', () => ID, { nullable: true, description: ARG.communityId })
    communityId?: string,
    @Arg('first', () => Int, {
      defaultValue: 100,
      description: ARG.first,
    })
    first = 100,
  ) {
    return tradesOf(ctx.em, ctx.viewer.userId!, communityId ?? null, first);
  }

  @Authorized()
  @Mutation(() => Download, {
    description:
      'A link to a CSV of the trades of intervals that started from–to (at most 366 days; optionally one community), streamed by the gateway: for admins and auditors every trade, for anyone else those they bought in, sold in, or sold from a site they hold a share of. Energy in Wh; prices and amounts in the settlement token’s base units.',
  })
  exportTrades(
    @Arg('from', { description: ARG.from }) from: Date,
    @Arg('to', { description: ARG.to }) to: Date,
    @Ctx() ctx: EnergyContext,
    @Arg('communityId', () => ID, { nullable: true, description: ARG.communityId })
    communityId?: string | null,
  ) {
    return ctx.exportTrades(from, to, communityId ?? null);
  }

  @FieldResolver(() => Community, { description: 'The community.' })
  community(@Root() t: Trade, @Ctx() ctx: EnergyContext) {
    return ctx.communities.get(t.communityId);
  }

  @FieldResolver(() => Site, { nullable: true, description: 'The selling site, for those who may see it.' })
  sellerSite(@Root() t: Trade, @Ctx() ctx: EnergyContext) {
    return ctx.sites.site(t.sellerSiteId).catch(() => null);
  }

  @FieldResolver(() => TradeSettlement, {
    nullable: true,
    description: 'Its payment on chain, once delivered energy made it payable; null before.',
  })
  settlement(@Root() t: Trade): TradeSettlement | null {
    if (!t.settlementStatus) return null;
    return {
      status: t.settlementStatus,
      recordId: t.settlementRecordId == null ? null : String(t.settlementRecordId),
      recordHash: t.settlementRecordHash,
      buyer: t.settlementBuyer,
      seller: t.settlementSeller,
      txHash: t.settlementTxHash,
      blockNumber: t.settlementBlock,
      fee: t.settlementFee,
      failureReason: t.settlementFailureReason,
    };
  }

  @FieldResolver(() => String, {
    description: 'BUY when you bought, SELL when you (or your site) sold; null otherwise.',
    nullable: true,
  })
  mySide(@Root() t: Trade, @Ctx() ctx: EnergyContext) {
    if (t.buyerId === ctx.viewer.userId) return 'BUY';
    if (t.sellerId === ctx.viewer.userId) return 'SELL';
    return null;
  }
}
