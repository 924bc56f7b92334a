import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requirePerson } from '../../../lib/subgraph.js';
import { hasRole, Role } from '../../../lib/auth.js';
import { User } from '../entities/user.entity.js';
import type { UserContext } from '../context.js';
import { AuthPayload, RegisterInput, UserConnection } from './types/auth.types.js';
import { ARG } from '../../../lib/arg-descriptions.js';

/** The rest of a sign-in response is resolved for the account that just signed in. */
function signedIn(ctx: UserContext, payload: AuthPayload): AuthPayload {
  ctx.viewer = { userId: payload.user.id, roles: payload.user.roles, via: 'jwt' };
  return payload;
}

@Resolver(() => User)
export class UserResolver {
  @Mutation(() => AuthPayload, { description: 'Creates a DRIVER account and signs it in.' })
  async register(
    @Arg('input', { description: ARG.input }) input: RegisterInput,
    @Ctx() ctx: UserContext,
  ): Promise<AuthPayload> {
    return signedIn(ctx, await ctx.auth.register(input, ctx.clientAddress));
  }

  @Mutation(() => AuthPayload, {
    description:
      'Signs in. After five failures for one email from one address, further tries from there wait 1 s, 2 s, 4 s, … (RATE_LIMITED); the owner is told by mail.',
  })
  async login(
    @Arg('email', { description: ARG.email }) email: string,
    @Arg('password', { description: "The account's password." }) password: string,
    @Ctx() ctx: UserContext,
  ) {
    return signedIn(ctx, await ctx.auth.login(email, password, ctx.clientAddress));
  }

  @Mutation(() => AuthPayload, {
    description: 'Exchanges a refresh token for new tokens (the old one is spent).',
  })
  async refreshToken(
    @Arg('token', {
      description: 'The refresh token from login or the last refresh (it is rotated: use each once).',
    })
    token: string,
    @Ctx() ctx: UserContext,
  ) {
    return signedIn(ctx, await ctx.auth.refresh(token));
  }

  @Mutation(() => Boolean, {
    description: 'Ends the login the refresh token belongs to, access tokens included.',
  })
  logout(
    @Arg('refreshToken', { description: 'The refresh token to revoke (its session ends).' })
    refreshToken: string,
    @Ctx() ctx: UserContext,
  ) {
    return ctx.auth.logout(refreshToken);
  }

  @Authorized()
  @Query(() => User, { description: 'The signed-in user.' })
  me(@Ctx() ctx: UserContext) {
    return ctx.users.get(ctx.viewer.userId!);
  }

  @Authorized(Role.ADMIN)
  @Query(() => UserConnection, { description: 'All accounts, oldest first. Admins only.' })
  users(
    @Ctx() ctx: UserContext,
    @Arg('first', () => Int, { nullable: true, description: ARG.first })
    first?: number,
    @Arg('after', () => String, {
      nullable: true,
      description: ARG.after,
    })
    after?: string,
  ) {
    return ctx.users.list(first, after);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => User, { description: "Replaces a user's roles. Their current access tokens stop working." })
  setUserRoles(
    @Arg('userId', () => ID, { description: ARG.userId }) userId: string,
    @Arg('roles', () => [Role], {
      description: 'The roles the account has from now on (replacing its current ones).',
    })
    roles: Role[],
    @Ctx() ctx: UserContext,
  ) {
    requirePerson(ctx.viewer);
    return ctx.users.setRoles(userId, roles, ctx.auth);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      'Visible to the account itself and to platform staff (AUDITOR, ADMIN); null for anyone else, other operators included.',
  })
  email(@Root() user: User, @Ctx() ctx: UserContext): string | null {
    const self = ctx.viewer.userId === user.id;
    return self || hasRole(ctx.viewer, Role.AUDITOR, Role.ADMIN) ? user.email : null;
  }
}
