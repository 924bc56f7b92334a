import {
  Arg,
  Authorized,
  Ctx,
  Directive,
  Field,
  FieldResolver,
  ID,
  InputType,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { ConnectorType } from '../../../lib/connector-types.js';
import { requirePerson, requireService } from '../../../lib/subgraph.js';
import { User } from '../entities/user.entity.js';
import { Vehicle } from '../entities/vehicle.entity.js';
import type { UserContext } from '../context.js';

@InputType({ description: 'A vehicle. Energy in Wh, power in W.' })
export class AddVehicleInput {
  @Field()
  make!: string;

  @Field()
  model!: string;

  @Field(() => Int, { description: 'Usable battery capacity, Wh (1,000–500,000).' })
  batteryWh!: number;

  @Field(() => [ConnectorType])
  connectorTypes!: ConnectorType[];

  @Field(() => Int, { description: 'Highest AC charging power, W.' })
  maxAcPowerW!: number;

  @Field(() => Int, { nullable: true, description: 'Highest DC charging power, W; omit for no DC.' })
  maxDcPowerW?: number | null;
}

@Resolver(() => Vehicle)
export class VehicleResolver {
  @Authorized()
  @Mutation(() => Vehicle, { description: "Adds a vehicle to the caller's account." })
  addVehicle(@Arg('input') input: AddVehicleInput, @Ctx() ctx: UserContext) {
    requirePerson(ctx.viewer);
    return ctx.vehicles.add(input);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: 'Removes one of the caller’s vehicles (admins: anyone’s).' })
  removeVehicle(@Arg('id', () => ID) id: string, @Ctx() ctx: UserContext) {
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
    @Arg('userId', () => ID) userId: string,
    @Ctx() ctx: UserContext,
  ) {
    requireService(ctx.viewer, 'station-subgraph');
    return ctx.vehicles.plugsOf(vehicleId, userId);
  }
}

@Resolver(() => User)
export class UserVehiclesResolver {
  @FieldResolver(() => [Vehicle], { description: 'The account’s vehicles. The account itself and admins.' })
  vehicles(@Root() user: User, @Ctx() ctx: UserContext) {
    return ctx.vehicles.ofUser(user.id);
  }
}
