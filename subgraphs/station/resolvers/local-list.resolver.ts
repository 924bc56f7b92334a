import { Arg, Authorized, Ctx, Field, ID, Int, Mutation, ObjectType, Resolver } from 'type-graphql';
import { Role } from '../../../lib/auth.js';
import type { StationContext } from '../context.js';
import { ARG } from '../../../lib/arg-descriptions.js';

@ObjectType({ description: 'The outcome of a local authorization list update.' })
export class LocalListSync {
  @Field({
    description:
      'The charger’s answer (Accepted, Failed, NotSupported, VersionMismatch), or Unchanged: nothing to send.',
  })
  status!: string;

  @Field(() => String, { nullable: true, description: 'Full or Differential; null when nothing was sent.' })
  updateType!: string | null;

  @Field(() => Int, { description: 'The list version the charger holds now, as far as the platform knows.' })
  version!: number;

  @Field(() => Int, { description: 'Entries sent.' })
  entries!: number;
}

/** Local authorization lists (SendLocalList, GetLocalListVersion): operators of the station and admins. */
@Resolver()
export class LocalListResolver {
  @Authorized(Role.OPERATOR)
  @Mutation(() => LocalListSync, {
    description:
      'Brings the charger’s local authorization list up to date: the id tokens of the station’s drivers (who charged there in the last 90 days or hold a reservation there) with their status, blocked and expired ones included so that an offline charger refuses them. The first update (or `full`) is a Full list, later ones Differential. A token blocked later is sent to the lists that hold it at once.',
  })
  async syncLocalList(
    @Arg('chargerId', () => ID, { description: ARG.chargerId }) chargerId: string,
    @Ctx() ctx: StationContext,
    @Arg('full', {
      defaultValue: false,
      description: 'true: send the whole list; false: only the changes since the last sync.',
    })
    full: boolean,
  ): Promise<LocalListSync> {
    const charger = await ctx.stations.ownedCharger(chargerId);
    return ctx.localLists.sync(charger.id, full);
  }

  @Authorized(Role.OPERATOR)
  @Mutation(() => Int, {
    description:
      'Asks the charger for its local list version (GetLocalListVersion): 0 none, -1 not supported (1.6).',
  })
  async getLocalListVersion(
    @Arg('chargerId', () => ID, { description: ARG.chargerId }) chargerId: string,
    @Ctx() ctx: StationContext,
  ) {
    const charger = await ctx.stations.ownedCharger(chargerId);
    const result = await ctx.commands.send(charger.identity, { type: 'getLocalListVersion' });
    return result.listVersion ?? 0;
  }
}
