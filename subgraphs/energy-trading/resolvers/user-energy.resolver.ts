import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { hasRole, Role } from '../../../lib/auth.js';
import { forbidden } from '../../../lib/errors.js';
import type { EnergyContext } from '../context.js';
import { Site } from '../entities/site.entity.js';
import { Trade } from '../entities/trade.entity.js';
import { User } from '../entities/user.reference.js';
import { tradesOf } from '../services/trades.js';

/** The energy market's fields of the user subgraph's User. */
@Resolver(() => User)
export class UserEnergyResolver {
  @FieldResolver(() => [Site], {
    description: 'Sites they own or hold a share of: for themselves, auditors and admins.',
  })
  sites(@Root() user: User, @Ctx() ctx: EnergyContext) {
    if (user.id !== ctx.viewer.userId && !hasRole(ctx.viewer, Role.ADMIN, Role.AUDITOR))
      throw forbidden('Only the account itself, auditors and admins see this');
    return ctx.sites.sitesOf(user.id);
  }

  @FieldResolver(() => [Trade], {
    description: 'Their trades, newest first: for themselves, auditors and admins.',
  })
  trades(@Root() user: User, @Ctx() ctx: EnergyContext) {
    if (user.id !== ctx.viewer.userId && !hasRole(ctx.viewer, Role.ADMIN, Role.AUDITOR))
      throw forbidden('Only the account itself, auditors and admins see this');
    return tradesOf(ctx.em, user.id, null, 100);
  }
}
