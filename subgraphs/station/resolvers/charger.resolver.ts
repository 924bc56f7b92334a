import {
  Arg,
  Authorized,
  Ctx,
  Directive,
  FieldResolver,
  ID,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { Role } from '../../../lib/auth.js';
import { requireService } from '../../../lib/subgraph.js';
import { Charger } from '../entities/charger.entity.js';
import { Connector } from '../entities/connector.entity.js';
import { Station } from '../entities/station.entity.js';
import type { StationContext } from '../context.js';
import {
  AddConnectorInput,
  ChargerAuthentication,
  ChargerPlacement,
  RegisterChargerInput,
  RegisterChargerPayload,
} from './types/station.types.js';
import { ARG } from '../../../lib/arg-descriptions.js';

@Resolver(() => Charger)
export class ChargerResolver {
  @Query(() => Charger, { description: 'One charger. Public.' })
  charger(@Arg('id', () => ID, { description: "The charger's id." }) id: string, @Ctx() ctx: StationContext) {
    return ctx.stations.charger(id);
  }

  @Query(() => Charger, {
    nullable: true,
    description: 'The charger with this OCPP identity, if any. Public.',
  })
  chargerByIdentity(
    @Arg('identity', { description: ARG.identity }) identity: string,
    @Ctx() ctx: StationContext,
  ) {
    return ctx.stations.chargerByIdentity(identity);
  }

  @Directive('@inaccessible')
  @Query(() => ChargerAuthentication, {
    nullable: true,
    description: 'For the OCPP bridge only: checks a charger’s Basic-auth login; null when refused.',
  })
  async chargerAuthentication(
    @Arg('identity', { description: ARG.identity }) identity: string,
    @Arg('password') password: string,
    @Ctx() ctx: StationContext,
  ): Promise<ChargerAuthentication | null> {
    requireService(ctx.viewer, 'ocpp-bridge');
    const charger = await ctx.stations.authenticateCharger(identity, password);
    return charger && { chargerId: charger.id, stationId: charger.station.id };
  }

  @Directive('@inaccessible')
  @Query(() => ChargerPlacement, {
    nullable: true,
    description:
      'For platform services: the station and operator of a charger (by identity) or of a station.',
  })
  async chargerPlacement(
    @Ctx() ctx: StationContext,
    @Arg('identity', () => String, { nullable: true, description: ARG.identity })
    identity?: string,
    @Arg('stationId', () => ID, { nullable: true, description: ARG.stationId }) stationId?: string,
  ): Promise<ChargerPlacement | null> {
    requireService(ctx.viewer, 'ocpp-bridge', 'session-subgraph');
    if (identity) {
      const charger = await ctx.stations.chargerByIdentity(identity);
      if (!charger) return null;
      const station = await ctx.stations.station(charger.station.id);
      return {
        chargerId: charger.id,
        stationId: station.id,
        operatorId: station.operatorId,
        timezone: station.timezone,
        evsePowers: await ctx.stations.evsePowers(charger.id),
      };
    }
    if (stationId) {
      const station = await ctx.stations.station(stationId);
      return {
        chargerId: null,
        stationId: station.id,
        operatorId: station.operatorId,
        timezone: station.timezone,
        evsePowers: [],
      };
    }
    return null;
  }

  @Authorized(Role.OPERATOR)
  @Mutation(() => RegisterChargerPayload, {
    description: 'Registers a charger on a station and returns its OCPP password, once.',
  })
  registerCharger(
    @Arg('stationId', () => ID, { description: ARG.stationId }) stationId: string,
    @Arg('input', { description: ARG.input })
    input: RegisterChargerInput,
    @Ctx() ctx: StationContext,
  ) {
    return ctx.stations.registerCharger(stationId, input);
  }

  @Authorized(Role.OPERATOR)
  @Mutation(() => Connector, { description: 'Adds a connector to a charger. Its operator or an admin.' })
  addConnector(
    @Arg('chargerId', () => ID, { description: ARG.chargerId }) chargerId: string,
    @Arg('input', { description: ARG.input }) input: AddConnectorInput,
    @Ctx() ctx: StationContext,
  ) {
    return ctx.stations.addConnector(chargerId, input);
  }

  @FieldResolver(() => Station, { description: 'The station it belongs to.' })
  async station(@Root() charger: Charger, @Ctx() ctx: StationContext): Promise<Station> {
    return ctx.em.findOneOrFail(Station, { id: charger.station.id });
  }

  @FieldResolver(() => Date, { nullable: true, description: 'When the charger was last heard from (±30 s).' })
  async lastSeenAt(@Root() charger: Charger, @Ctx() ctx: StationContext): Promise<Date | null> {
    const live = await ctx.lastSeen.load(charger.identity);
    if (!live) return charger.lastSeenAt;
    return charger.lastSeenAt && charger.lastSeenAt > live ? charger.lastSeenAt : live;
  }

  @FieldResolver(() => [Connector], { description: 'Its connectors, by EVSE and connector number.' })
  async connectors(@Root() charger: Charger): Promise<Connector[]> {
    return (await charger.connectors.load()).getItems();
  }
}
