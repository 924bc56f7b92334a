import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { User } from '../entities/user.entity.js';
import { Vehicle } from '../entities/vehicle.entity.js';
import type { UserContext } from '../context.js';

@Resolver(() => User)
export class UserVehiclesResolver {
  @FieldResolver(() => [Vehicle], { description: 'The account’s vehicles. The account itself and admins.' })
  vehicles(@Root() user: User, @Ctx() ctx: UserContext) {
    return ctx.vehicles.ofUser(user.id);
  }
}
