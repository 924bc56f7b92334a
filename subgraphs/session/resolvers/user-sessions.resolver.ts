import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { hasRole, Role } from '../../../lib/auth.js';
import { forbidden } from '../../../lib/errors.js';
import type { SessionContext } from '../context.js';
import { User } from '../entities/user.reference.js';
import { ChargingSessionConnection } from './types/session.types.js';
import { ARG } from '../../../lib/arg-descriptions.js';

@Resolver(() => User)
export class UserSessionsResolver {
  @FieldResolver(() => ChargingSessionConnection, {
    description: 'The account’s charging sessions, newest first. The account itself, auditors and admins.',
  })
  sessions(
    @Root() user: User,
    @Ctx() ctx: SessionContext,
    @Arg('first', () => Int, { nullable: true, description: ARG.first })
    first?: number,
    @Arg('after', () => String, {
      nullable: true,
      description: ARG.after,
    })
    after?: string,
  ) {
    if (ctx.viewer.userId !== user.id && !hasRole(ctx.viewer, Role.ADMIN, Role.AUDITOR)) {
      throw forbidden('Only the account itself, auditors and admins see its sessions');
    }
    return ctx.sessions.ofUser(user.id, first, after);
  }
}
