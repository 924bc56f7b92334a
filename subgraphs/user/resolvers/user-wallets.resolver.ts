import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { hasRole, Role } from '../../../lib/auth.js';
import { forbidden } from '../../../lib/errors.js';
import { User } from '../entities/user.entity.js';
import { Wallet } from '../entities/wallet.entity.js';
import type { UserContext } from '../context.js';

@Resolver(() => User)
export class UserWalletsResolver {
  @FieldResolver(() => [Wallet], { description: 'Linked wallets. The account itself, auditors and admins.' })
  wallets(@Root() user: User, @Ctx() ctx: UserContext) {
    if (ctx.viewer.userId !== user.id && !hasRole(ctx.viewer, Role.ADMIN, Role.AUDITOR)) {
      throw forbidden('Only the account itself, auditors and admins see its wallets');
    }
    return ctx.wallets.ofUser(user.id);
  }
}
