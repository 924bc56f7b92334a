import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { User } from '../entities/user.reference.js';
import type { StationContext } from '../context.js';
import { StationConnection } from './types/station.types.js';
import { ARG } from '../../../lib/arg-descriptions.js';

@Resolver(() => User)
export class OperatorStationsResolver {
  @FieldResolver(() => StationConnection, { description: 'Stations this account operates, by name.' })
  stations(
    @Root() user: User,
    @Ctx() ctx: StationContext,
    @Arg('first', () => Int, { nullable: true, description: ARG.first })
    first?: number,
    @Arg('after', () => String, {
      nullable: true,
      description: ARG.after,
    })
    after?: string,
  ) {
    return ctx.stations.byOperator(user.id, first, after);
  }
}
