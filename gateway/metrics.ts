import type { ApolloServerPlugin } from '@apollo/server';
import { graphqlMetrics } from '../lib/graphql-metrics.js';
import type { Logger } from '../lib/logger.js';
import type { Metrics } from '../lib/metrics.js';
import type { FederatedSubscriptions } from './subscriptions/index.js';

/** The gateway's own metrics, besides the default process metrics and its queue-free registry. */
export function gatewayMetrics(metrics: Metrics) {
  const graphql = graphqlMetrics(metrics, 'graphql_errors_total');
  const refusals = metrics.counter({
    name: 'rate_limit_refusals_total',
    help: 'Operations refused with RATE_LIMITED, by kind of caller',
    labelNames: ['principal'],
  });
  const delivered = metrics.counter({
    name: 'subscription_events_delivered_total',
    help: 'Subscription events written to client sockets',
  });
  const dropped = metrics.counter({
    name: 'subscription_events_dropped_total',
    help: 'Subscription events dropped because the client read too slowly (its backlog was full)',
  });
  return {
    graphql,
    rateLimited: (principal: 'apikey' | 'user' | 'anonymous') => refusals.inc({ principal }),
    sink: { delivered: () => delivered.inc(), dropped: () => dropped.inc() },
    /** Reports the subscription counts at every scrape. */
    watchSubscriptions(subscriptions: FederatedSubscriptions) {
      metrics.gauge({
        name: 'subscriptions_active',
        help: 'Client subscriptions being served',
        collect() {
          this.set(subscriptions.counts().following);
        },
      });
      metrics.gauge({
        name: 'subscription_upstreams',
        help: 'Upstream subscriptions to subgraphs (identical client subscriptions share one)',
        collect() {
          this.set(subscriptions.counts().upstream);
        },
      });
    },
  };
}

export type GatewayMetrics = ReturnType<typeof gatewayMetrics>;

/**
 * One `info` line per GraphQL operation (the access log): operation name and type, outcome, error
 * codes and duration; the request id comes with every line (lib/logger.ts). Never the variables or
 * the document, which may hold credentials.
 */
export function accessLog(logger: Logger): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ operation, operationName, response }) {
          const single = response.body.kind === 'single' ? response.body.singleResult : null;
          const codes = [
            ...new Set((single?.errors ?? []).map((e) => String(e.extensions?.code ?? 'UNKNOWN'))),
          ];
          logger.info(
            {
              operationName: operationName ?? null,
              operationType: operation?.operation ?? 'unknown',
              outcome: !single?.errors?.length ? 'success' : single.data ? 'partial' : 'error',
              codes,
              durationMs: Number(process.hrtime.bigint() - started) / 1e6,
            },
            'graphql operation',
          );
        },
      };
    },
  };
}
