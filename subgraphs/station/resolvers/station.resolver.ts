import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Role } from '../../../lib/auth.js';
import { Charger } from '../entities/charger.entity.js';
import { GeoPoint, Station } from '../entities/station.entity.js';
import { User } from '../entities/user.reference.js';
import type { StationContext } from '../context.js';
import {
  CreateStationInput,
  NearInput,
  StationConnection,
  StationFilter,
  UpdateStationInput,
} from './types/station.types.js';
import { ARG } from '../../../lib/arg-descriptions.js';

@Resolver(() => Station)
export class StationResolver {
  @Query(() => StationConnection, {
    description: 'Stations: nearest first when `near` is given, else by name. Public.',
  })
  stations(
    @Ctx() ctx: StationContext,
    @Arg('near', () => NearInput, {
      nullable: true,
      description: 'Only stations within a radius of a point, nearest first.',
    })
    near?: NearInput,
    @Arg('filter', () => StationFilter, {
      nullable: true,
      description: ARG.filter,
    })
    filter?: StationFilter,
    @Arg('first', () => Int, { nullable: true, description: ARG.first })
    first?: number,
    @Arg('after', () => String, {
      nullable: true,
      description: ARG.after,
    })
    after?: string,
  ) {
    return ctx.stations.search(near, filter, first, after);
  }

  @Query(() => Station, { description: 'One station. Public.' })
  station(@Arg('id', () => ID, { description: "The station's id." }) id: string, @Ctx() ctx: StationContext) {
    return ctx.stations.station(id);
  }

  @Authorized(Role.OPERATOR)
  @Mutation(() => Station, { description: 'Creates a station operated by the caller (admins: by anyone).' })
  createStation(
    @Arg('input', { description: ARG.input }) input: CreateStationInput,
    @Ctx() ctx: StationContext,
  ) {
    return ctx.stations.createStation(input);
  }

  @Authorized(Role.OPERATOR)
  @Mutation(() => Station, { description: 'Changes a station. Its operator or an admin.' })
  updateStation(
    @Arg('id', () => ID, { description: "The station's id." }) id: string,
    @Arg('input', { description: ARG.input }) input: UpdateStationInput,
    @Ctx() ctx: StationContext,
  ) {
    return ctx.stations.updateStation(id, input);
  }

  @FieldResolver(() => GeoPoint, { description: 'Where it is.' })
  location(@Root() station: Station): GeoPoint {
    return { lat: station.latitude, lng: station.longitude };
  }

  @FieldResolver(() => User, { description: 'The operating account (from the user subgraph).' })
  operator(@Root() station: Station): User {
    return { id: station.operatorId };
  }

  @FieldResolver(() => [Charger], { description: 'Its chargers.' })
  async chargers(@Root() station: Station): Promise<Charger[]> {
    return (await station.chargers.load({ orderBy: { identity: 'asc' } })).getItems();
  }
}
