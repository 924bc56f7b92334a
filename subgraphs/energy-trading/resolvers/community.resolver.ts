import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { hasRole, Role } from '../../../lib/auth.js';
import { requirePerson } from '../../../lib/subgraph.js';
import type { EnergyContext } from '../context.js';
import { Community } from '../entities/community.entity.js';
import { CreateCommunityInput } from './types/community.types.js';
import { ARG } from '../../../lib/arg-descriptions.js';

@Resolver(() => Community)
export class CommunityResolver {
  @Query(() => [Community], { description: 'The local energy markets, by name (at most 100). Public.' })
  communities(@Ctx() ctx: EnergyContext) {
    return ctx.communities.list();
  }

  @Query(() => Community, { description: 'One local energy market. Public.' })
  community(
    @Arg('id', () => ID, { description: "The community's id." }) id: string,
    @Ctx() ctx: EnergyContext,
  ) {
    return ctx.communities.get(id);
  }

  @Authorized(Role.OPERATOR)
  @Mutation(() => Community, {
    description: 'Creates a local energy market run by the caller. Operators and admins.',
  })
  createCommunity(
    @Arg('input', { description: ARG.input })
    input: CreateCommunityInput,
    @Ctx() ctx: EnergyContext,
  ) {
    requirePerson(ctx.viewer);
    return ctx.communities.create(input);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'What members join with (joinCommunity): its operator and admins see it, others get null.',
  })
  inviteCode(@Root() c: Community, @Ctx() ctx: EnergyContext): string | null {
    return c.operatorId === ctx.viewer.userId || hasRole(ctx.viewer, Role.ADMIN) ? c.inviteCode : null;
  }
}
