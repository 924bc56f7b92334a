import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { hasRole, Role } from '../../../lib/auth.js';
import { forbidden } from '../../../lib/errors.js';
import { ApiKey } from '../entities/api-key.entity.js';
import { User } from '../entities/user.entity.js';
import type { UserContext } from '../context.js';

@Resolver(() => User)
export class UserApiKeysResolver {
  @FieldResolver(() => [ApiKey], { description: 'The account’s API keys. The account itself and admins.' })
  apiKeys(@Root() user: User, @Ctx() ctx: UserContext) {
    if (ctx.viewer.userId !== user.id && !hasRole(ctx.viewer, Role.ADMIN)) {
      throw forbidden('Only the account itself and admins see its API keys');
    }
    return ctx.apiKeys.ofUser(user.id);
  }
}
