import { Arg, Authorized, Ctx, ID, Resolver, Root, Subscription } from 'type-graphql';
import {
  LIVE_TOPIC,
  type ClearingPublishedLive,
  type MeterReadingsLive,
  type TradeUpdatedLive,
} from '../../../lib/live-events.js';
import type { EnergyContext } from '../context.js';
import { Clearing } from '../entities/clearing.entity.js';
import { Trade } from '../entities/trade.entity.js';
import { MeterReadingsEvent } from './types/reading.types.js';
import { ARG } from '../../../lib/arg-descriptions.js';

/** Live market events through the gateway's graphql-ws endpoint; each is read from the database as stored. */
@Resolver()
export class LiveMarketResolver {
  @Authorized()
  @Subscription(() => Clearing, {
    description: 'Each clearing of a community’s intervals, as it is published.',
    subscribe: async ({ args, context }) => {
      const ctx = context as EnergyContext;
      const community = await ctx.communities.get((args as { communityId: string }).communityId);
      return ctx.live.subscribe<ClearingPublishedLive>(
        LIVE_TOPIC.clearingPublished,
        (e) => e.communityId === community.id,
      );
    },
  })
  async clearingPublished(
    @Root() e: ClearingPublishedLive,
    @Ctx() ctx: EnergyContext,
    @Arg('communityId', () => ID, { description: ARG.communityId }) _communityId: string,
  ): Promise<Clearing> {
    ctx.em.clear();
    return ctx.em.findOneOrFail(Clearing, {
      communityId: e.communityId,
      intervalStart: new Date(e.intervalStart),
    });
  }

  @Authorized()
  @Subscription(() => Trade, {
    description: 'Your trades as they are matched and as their delivery is checked.',
    subscribe: ({ context }) => {
      const ctx = context as EnergyContext;
      const me = ctx.viewer.userId!;
      return ctx.live.subscribe<TradeUpdatedLive>(LIVE_TOPIC.tradeUpdated, (e) => e.parties.includes(me));
    },
  })
  async myTradeUpdates(@Root() e: TradeUpdatedLive, @Ctx() ctx: EnergyContext): Promise<Trade> {
    ctx.em.clear();
    return ctx.em.findOneOrFail(Trade, { id: e.tradeId });
  }

  @Authorized()
  @Subscription(() => MeterReadingsEvent, {
    description: 'Readings of a meter as they are stored (for whoever may see the meter).',
    subscribe: async ({ args, context }) => {
      const ctx = context as EnergyContext;
      const meter = await ctx.sites.meter((args as { meterId: string }).meterId);
      return ctx.live.subscribe<MeterReadingsLive>(LIVE_TOPIC.meterReadings, (e) => e.meterId === meter.id);
    },
  })
  meterReadingsReceived(
    @Root() e: MeterReadingsLive,
    @Arg('meterId', () => ID, { description: ARG.meterId }) _meterId: string,
  ): MeterReadingsEvent {
    return { meterId: e.meterId, accepted: e.accepted, latest: new Date(e.latest) };
  }
}
