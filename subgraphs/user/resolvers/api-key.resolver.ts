import { Arg, Authorized, Ctx, Directive, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { Role } from '../../../lib/auth.js';
import { ApiKeyScope } from '../../../lib/scopes.js';
import { requirePerson, requireService } from '../../../lib/subgraph.js';
import { ApiKey, ApiKeyIdentity } from '../entities/api-key.entity.js';
import type { UserContext } from '../context.js';
import { ApiKeyCreated } from './types/api-key.types.js';
import { ARG } from '../../../lib/arg-descriptions.js';

@Resolver(() => ApiKey)
export class ApiKeyResolver {
  @Authorized(Role.OPERATOR)
  @Mutation(() => ApiKeyCreated, {
    description:
      'Creates a partner API key acting as the caller within `scopes`. Operators and admins, signed in as a person. Limits may be set below the platform defaults (an admin may raise them).',
  })
  async createApiKey(
    @Arg('name', { description: 'A name to tell the key apart (shown in apiKeys).' }) name: string,
    @Arg('scopes', () => [ApiKeyScope], {
      description: 'What the key may do; each root field needs one scope (see the reference of each).',
    })
    scopes: ApiKeyScope[],
    @Arg('expiresAt', () => Date, { nullable: true, description: ARG.expiresAt }) expiresAt: Date | null,
    @Arg('rateLimitPerMinute', () => Int, {
      nullable: true,
      description: 'Requests per minute this key may make; none: the platform default.',
    })
    rateLimitPerMinute: number | null,
    @Arg('rateLimitPerHour', () => Int, {
      nullable: true,
      description: 'Requests per hour this key may make; none: the platform default.',
    })
    rateLimitPerHour: number | null,
    @Ctx() ctx: UserContext,
  ) {
    requirePerson(ctx.viewer);
    await ctx.account.requireVerifiedEmail(ctx.viewer, 'createApiKey');
    return ctx.apiKeys.create({ name, scopes, expiresAt, rateLimitPerMinute, rateLimitPerHour });
  }

  @Authorized()
  @Mutation(() => ApiKey, { description: 'Revokes a key. Its owner or an admin; takes effect within 30 s.' })
  revokeApiKey(
    @Arg('id', () => ID, { description: "The API key's id." }) id: string,
    @Ctx() ctx: UserContext,
  ) {
    requirePerson(ctx.viewer);
    return ctx.apiKeys.revoke(id);
  }

  @Directive('@inaccessible')
  @Query(() => ApiKeyIdentity, {
    nullable: true,
    description: 'For the gateway only: whom an API key acts as.',
  })
  apiKeyIdentity(@Arg('apiKey') apiKey: string, @Ctx() ctx: UserContext) {
    requireService(ctx.viewer, 'gateway');
    return ctx.apiKeys.identify(apiKey);
  }
}
