import { Arg, Authorized, Ctx, Directive, ID, Mutation, Query, Resolver } from 'type-graphql';
import { ConnectorType } from '../../../lib/connector-types.js';
import { requirePerson, requireService } from '../../../lib/subgraph.js';
import { Vehicle } from '../entities/vehicle.entity.js';
import type { UserContext } from '../context.js';
import { AddVehicleInput } from './types/vehicle.types.js';
import { ARG } from '../../../lib/arg-descriptions.js';

@Resolver(() => Vehicle)
export class VehicleResolver {
  @Authorized()
  @Mutation(() => Vehicle, { description: "Adds a vehicle to the caller's account." })
  addVehicle(@Arg('input', { description: ARG.input }) input: AddVehicleInput, @Ctx() ctx: UserContext) {
    requirePerson(ctx.viewer);
    return ctx.vehicles.add(input);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: 'Removes one of the caller’s vehicles (admins: anyone’s).' })
  removeVehicle(
    @Arg('id', () => ID, { description: "The vehicle's id." }) id: string,
    @Ctx() ctx: UserContext,
  ) {
    requirePerson(ctx.viewer);
    return ctx.vehicles.remove(id);
  }

  @Directive('@inaccessible')
  @Query(() => [ConnectorType], {
    nullable: true,
    description: "For the station subgraph only: a vehicle's plugs, if it belongs to the user.",
  })
  vehiclePlugs(
    @Arg('vehicleId', () => ID) vehicleId: string,
    @Arg('userId', () => ID, { description: ARG.userId }) userId: string,
    @Ctx() ctx: UserContext,
  ) {
    requireService(ctx.viewer, 'station-subgraph');
    return ctx.vehicles.plugsOf(vehicleId, userId);
  }
}
