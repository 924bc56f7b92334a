import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { hasRole, Role } from '../../../lib/auth.js';
import { forbidden } from '../../../lib/errors.js';
import { IdToken } from '../entities/id-token.entity.js';
import { User } from '../entities/user.entity.js';
import type { UserContext } from '../context.js';

@Resolver(() => User)
export class UserIdTokensResolver {
  @FieldResolver(() => [IdToken], { description: 'The account’s id tokens. The account itself and admins.' })
  idTokens(@Root() user: User, @Ctx() ctx: UserContext) {
    if (ctx.viewer.userId !== user.id && !hasRole(ctx.viewer, Role.ADMIN)) {
      throw forbidden('Only the account itself and admins see its id tokens');
    }
    return ctx.idTokens.ofUser(user.id);
  }
}
