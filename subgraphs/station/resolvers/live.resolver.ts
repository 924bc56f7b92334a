import { Arg, Authorized, Ctx, FieldResolver, ID, Resolver, Root, Subscription } from 'type-graphql';
import { badInput } from '../../../lib/errors.js';
import { LIVE_TOPIC, type ChargerStatusLive } from '../../../lib/live-events.js';
import type { StationContext } from '../context.js';
import { Charger } from '../entities/charger.entity.js';
import { Connector } from '../entities/connector.entity.js';
import { ChargerStatus } from '../entities/enums.js';

import { ChargerStatusEvent } from './types/live.types.js';
import { ARG } from '../../../lib/arg-descriptions.js';

const toEvent = (e: ChargerStatusLive): ChargerStatusEvent => ({
  chargerId: e.chargerId,
  stationId: e.stationId,
  evseId: e.evseId,
  connectorId: e.connectorId,
  status: e.status as ChargerStatus,
  at: new Date(e.at),
});

/** Each event is resolved against the database as it is now: nothing cached from an earlier one. */
const fresh = (ctx: StationContext) => {
  ctx.em.clear();
  return ctx;
};

/** Live status for the station's operator (and admins), through the gateway's graphql-ws endpoint. */
@Resolver(() => ChargerStatusEvent)
export class LiveStatusResolver {
  @Authorized()
  @Subscription(() => ChargerStatusEvent, {
    description:
      'Status changes of the chargers of one station, or of one charger (give exactly one of the two), and of their connectors. For the station’s operator and admins.',
    subscribe: async ({ args, context }) => {
      const { stationId, chargerId } = args as { stationId?: string | null; chargerId?: string | null };
      const ctx = context as StationContext;
      if (!stationId === !chargerId) throw badInput('Give either stationId or chargerId', 'stationId');
      if (stationId) {
        const station = await ctx.stations.ownedStation(stationId);
        return ctx.live.subscribe<ChargerStatusLive>(
          LIVE_TOPIC.chargerStatus,
          (e) => e.stationId === station.id,
        );
      }
      const charger = await ctx.stations.ownedCharger(chargerId!);
      return ctx.live.subscribe<ChargerStatusLive>(
        LIVE_TOPIC.chargerStatus,
        (e) => e.chargerId === charger.id,
      );
    },
  })
  chargerStatusChanged(
    @Root() event: ChargerStatusLive,
    @Ctx() ctx: StationContext,
    @Arg('stationId', () => ID, { nullable: true, description: ARG.stationId }) _stationId?: string,
    @Arg('chargerId', () => ID, { nullable: true, description: ARG.chargerId }) _chargerId?: string,
  ): ChargerStatusEvent {
    fresh(ctx);
    return toEvent(event);
  }

  @Authorized()
  @Subscription(() => ChargerStatusEvent, {
    description: 'Status changes of one charger’s connectors. For the station’s operator and admins.',
    subscribe: async ({ args, context }) => {
      const { chargerId } = args as { chargerId: string };
      const ctx = context as StationContext;
      const charger = await ctx.stations.ownedCharger(chargerId);
      return ctx.live.subscribe<ChargerStatusLive>(
        LIVE_TOPIC.chargerStatus,
        (e) => e.chargerId === charger.id && e.evseId > 0,
      );
    },
  })
  connectorStatusChanged(
    @Root() event: ChargerStatusLive,
    @Ctx() ctx: StationContext,
    @Arg('chargerId', () => ID, { description: ARG.chargerId }) _chargerId: string,
  ): ChargerStatusEvent {
    fresh(ctx);
    return toEvent(event);
  }

  @FieldResolver(() => Charger, { description: 'The charger as stored now.' })
  charger(@Root() event: ChargerStatusEvent, @Ctx() ctx: StationContext) {
    return ctx.em.findOne(Charger, { id: event.chargerId });
  }

  @FieldResolver(() => Connector, {
    nullable: true,
    description: 'The connector as stored now; null for the charger as a whole (`evseId` 0).',
  })
  connector(@Root() event: ChargerStatusEvent, @Ctx() ctx: StationContext) {
    if (event.evseId === 0) return null;
    return ctx.em.findOne(Connector, {
      charger: event.chargerId,
      evseId: event.evseId,
      connectorId: event.connectorId,
    });
  }
}
