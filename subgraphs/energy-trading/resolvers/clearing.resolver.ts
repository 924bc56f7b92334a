import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { hasRole, Role } from '../../../lib/auth.js';
import { decodeCursor, pageSize, toConnection } from '../../../lib/pagination.js';
import type { EnergyContext } from '../context.js';
import { Clearing } from '../entities/clearing.entity.js';
import { Community } from '../entities/community.entity.js';
import { Trade } from '../entities/trade.entity.js';
import { inputId } from '../../../lib/ids.js';
import { ClearingConnection, MarketReport, MarketStats } from './types/market.types.js';
import { ReportGranularity } from '../../../lib/report-granularity.js';
import { marketReport } from '../services/market-report.js';
import { badInput, notFound } from '../../../lib/errors.js';
import { marketStats } from '../services/stats.js';
import { ARG } from '../../../lib/arg-descriptions.js';

@Resolver(() => Clearing)
export class ClearingResolver {
  @Authorized()
  @Query(() => Clearing, {
    nullable: true,
    description: 'One interval’s clearing; null until it has been cleared.',
  })
  clearing(
    @Arg('communityId', () => ID, { description: ARG.communityId }) communityId: string,
    @Arg('intervalStart', { description: ARG.intervalStart }) intervalStart: Date,
    @Ctx() ctx: EnergyContext,
  ) {
    return ctx.em.findOne(Clearing, { communityId: inputId(communityId, 'communityId'), intervalStart });
  }

  @Authorized()
  @Query(() => ClearingConnection, {
    description: 'A community’s clearings with intervals in [from, to), oldest first.',
  })
  async clearings(
    @Arg('communityId', () => ID, { description: ARG.communityId }) communityId: string,
    @Arg('from', { description: ARG.from }) from: Date,
    @Arg('to', { description: ARG.to }) to: Date,
    @Ctx() ctx: EnergyContext,
    @Arg('first', () => Int, { nullable: true, description: ARG.first })
    first?: number,
    @Arg('after', {
      nullable: true,
      description: ARG.after,
    })
    after?: string,
  ) {
    const limit = pageSize(first);
    const cursor = decodeCursor(after, 1);
    const since = cursor ? new Date(String(cursor[0])) : null;
    if (since && !Number.isFinite(since.getTime())) throw badInput('Malformed cursor', 'after');
    const rows = await ctx.em.find(
      Clearing,
      {
        communityId: inputId(communityId, 'communityId'),
        intervalStart: { $gte: from, $lt: to, ...(since ? { $gt: since } : {}) },
      },
      { orderBy: { intervalStart: 'asc' }, limit: limit + 1 },
    );
    return toConnection(rows, limit, (c) => [c.intervalStart.toISOString()]);
  }

  @Authorized()
  @Query(() => MarketStats, {
    description: 'A community market’s figures for clearings that start in [from, to).',
  })
  async marketStats(
    @Arg('communityId', () => ID, { description: ARG.communityId }) communityId: string,
    @Arg('from', { description: ARG.from }) from: Date,
    @Arg('to', { description: ARG.to }) to: Date,
    @Ctx() ctx: EnergyContext,
  ) {
    const community = await ctx.em.findOne(Community, { id: inputId(communityId, 'communityId') });
    if (!community) throw notFound('Community', communityId);
    if (!(to.getTime() > from.getTime())) throw badInput('to must be after from', 'to');
    return marketStats(ctx.pool, community.id, from, to);
  }

  @Authorized()
  @Query(() => MarketReport, {
    description:
      'A community market per period: volume, average clearing price, what buyers paid, delivered against traded, consumption and self-sufficiency, summed from each interval’s clearing and delivery totals.',
  })
  async marketReport(
    @Arg('communityId', () => ID, { description: ARG.communityId }) communityId: string,
    @Arg('from', { description: ARG.reportFrom }) from: string,
    @Arg('to', { description: ARG.reportTo }) to: string,
    @Arg('granularity', () => ReportGranularity, {
      description: ARG.granularity,
    })
    granularity: ReportGranularity,
    @Ctx() ctx: EnergyContext,
  ) {
    const community = await ctx.em.findOne(Community, { id: inputId(communityId, 'communityId') });
    if (!community) throw notFound('Community', communityId);
    return marketReport(ctx.pool, community, granularity, from, to);
  }

  @FieldResolver(() => Community, { description: 'The community.' })
  community(@Root() c: Clearing, @Ctx() ctx: EnergyContext) {
    return ctx.communities.get(c.communityId);
  }

  @FieldResolver(() => [Trade], {
    description:
      'Its trades: all of them for the market’s operator, auditors and admins; your own for others.',
  })
  async trades(@Root() c: Clearing, @Ctx() ctx: EnergyContext) {
    const community = await ctx.communities.get(c.communityId);
    const all = hasRole(ctx.viewer, Role.ADMIN, Role.AUDITOR) || community.operatorId === ctx.viewer.userId;
    const me = ctx.viewer.userId!;
    return ctx.em.find(
      Trade,
      {
        communityId: c.communityId,
        intervalStart: c.intervalStart,
        ...(all ? {} : { $or: [{ buyerId: me }, { sellerId: me }] }),
      },
      { orderBy: { id: 'asc' }, limit: 1000 },
    );
  }
}
