import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { AppError, ErrorCode } from '../lib/errors.js';
import { isRedisUnavailable } from '../lib/redis.js';
import { principalOf, type GatewayContext } from './auth.js';
import { operationCost } from './query-cost.js';
import type { RateLimiter } from '../lib/rate-limit.js';

/**
 * A budget of query cost per caller and minute (as GitHub's and Shopify's APIs have), besides the
 * per-operation ceiling (MAX_QUERY_COST, a validation rule). Each operation's cost (gateway/query-cost.ts)
 * is added to its caller's count in Redis before it is planned; past the budget, RATE_LIMITED with
 * Retry-After until the minute ends. Every answer says what it cost in `extensions.cost`:
 * `{ requested, limit, budget, remaining, resetAt }` (`remaining` null when the budget could not be
 * read). Fails open while Redis is away, like the rate limits. Covers queries and mutations over HTTP
 * and WebSocket; subscriptions are priced only by the ceiling.
 */
export function costBudget(opts: {
  limiter: RateLimiter;
  perMinute: number;
  maxCost: number;
}): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      let cost: number | null = null;
      let remaining: number | null = null;
      let resetAt: number | null = null;
      return {
        async didResolveOperation({ operation, document, schema, contextValue }) {
          const root = operation && schema.getRootType(operation.operation);
          if (!operation || !root) return;
          cost = operationCost(
            { getSchema: () => schema, getDocument: () => document },
            operation.selectionSet,
            root,
          );
          if (opts.perMinute <= 0) return;
          const { principal } = principalOf(contextValue.viewer, contextValue.clientAddress);
          const used = await opts.limiter.add(`cost:${principal}`, 60, cost).catch((err: unknown) => {
            if (isRedisUnavailable(err)) return null;
            throw err;
          });
          if (!used) return;
          remaining = Math.max(0, opts.perMinute - used.count);
          resetAt = used.resetAt;
          if (used.count > opts.perMinute) {
            const retryAfter = Math.max(1, used.resetAt - Math.floor(Date.now() / 1000));
            throw new AppError(
              ErrorCode.RATE_LIMITED,
              `Query cost budget of ${opts.perMinute} per minute spent; retry in ${retryAfter} s`,
              {
                retryAfterSeconds: retryAfter,
                cost: { requested: cost, budget: opts.perMinute, remaining: 0 },
                http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfter)]]) },
              },
            );
          }
        },
        async willSendResponse({ response }) {
          if (cost === null || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.extensions = {
            ...result.extensions,
            cost: { requested: cost, limit: opts.maxCost, budget: opts.perMinute, remaining, resetAt },
          };
        },
      };
    },
  };
}
