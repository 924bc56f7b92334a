import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { Metrics } from './metrics.js';

/** Request durations in seconds: from a cached query on loopback (~1 ms) to a request near its timeout. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * GraphQL metrics of one process: `gridledger_graphql_request_duration_seconds{operation_type,outcome}`
 * (outcome `success`, `partial` with data and errors, `error` without data) and errors by
 * `extensions.code` as `gridledger_<errorsName>{code}` — `graphql_errors_total` at the gateway (what
 * clients got), `resolver_errors_total` in a subgraph. Give `onError` to the process's `formatError`.
 */
export function graphqlMetrics(
  metrics: Metrics,
  errorsName: 'graphql_errors_total' | 'resolver_errors_total',
) {
  const errors = metrics.counter({
    name: errorsName,
    help: 'GraphQL errors sent, by extensions.code',
    labelNames: ['code'],
  });
  const duration = metrics.histogram({
    name: 'graphql_request_duration_seconds',
    help: 'GraphQL operations over HTTP and WebSocket, from parsed request to response, by operation type and outcome',
    labelNames: ['operation_type', 'outcome'],
    buckets: DURATION_BUCKETS,
  });
  const plugin: ApolloServerPlugin<BaseContext> = {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ operation, response }) {
          const single = response.body.kind === 'single' ? response.body.singleResult : null;
          const outcome = !single?.errors?.length ? 'success' : single.data ? 'partial' : 'error';
          duration.observe(
            { operation_type: operation?.operation ?? 'unknown', outcome },
            Number(process.hrtime.bigint() - started) / 1e9,
          );
        },
      };
    },
  };
  return { plugin, onError: (code: string) => errors.inc({ code }) };
}
