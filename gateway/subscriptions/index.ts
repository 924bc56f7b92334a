/**
 * Federated subscriptions, which @apollo/gateway does not execute. For each subscription the
 * federation query planner gives a SubscriptionNode: a `primary` fetch, the root field and whatever
 * else its own subgraph resolves, and the `rest` of the plan, entity fetches to the other subgraphs.
 * The primary is subscribed upstream over graphql-ws to the subgraph that owns the root field; each
 * event it sends is then put through the `rest` with the gateway's own plan executor, as if the
 * primary fetch had just answered with the event.
 *
 * Identical subscriptions of one caller (same document, variables and identity) share one upstream
 * subscription and one execution per event. Different callers never share: what a field returns can
 * depend on who asks. Each event's result is serialized once and framed once per distinct
 * subscription id, then handed to every follower's sink (gateway/ws.ts writes it to the socket).
 *
 * The parts: types.ts (shared types), limits.ts (bounds), fan-out.ts (events to followers),
 * shared-upstream.ts (one upstream per identical subscription, and each event's execution).
 */
import { operationFromDocument, Supergraph, type Schema } from '@apollo/federation-internals';
import { buildOperationContext, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway';
import { QueryPlanner, type FetchNode, type PlanNode } from '@apollo/query-planner';
import {
  GraphQLError,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { formatError } from '../../lib/errors.js';
import { WS_INTERNAL_TOKEN } from '../../lib/subgraph.js';
import { Limiter } from './limits.js';
import { SharedSubscription } from './shared-upstream.js';
import type { SubscriptionSink } from './fan-out.js';
import {
  EVENT_SOURCE,
  type EventContext,
  type FederatedSubscriptionsOptions,
  type Planned,
  type SubscriptionRequest,
  type UpstreamOwner,
} from './types.js';

export class FederatedSubscriptions implements UpstreamOwner {
  readonly supergraphSchema: GraphQLSchema;
  readonly apiSchema: Schema;
  readonly apiGraphQLSchema: GraphQLSchema;
  private readonly planner: QueryPlanner;
  private readonly plans = new Map<string, Planned>();
  private readonly clients = new Map<string, Client>();
  private readonly shared = new Map<string, SharedSubscription>();
  readonly limiter: Limiter;
  readonly serviceMap: ServiceMap;
  /** A result as JSON, its errors formatted as over HTTP (typed codes, no internal detail). */
  readonly serialize: (result: ExecutionResult) => string;

  constructor(readonly opts: FederatedSubscriptionsOptions) {
    const supergraph = Supergraph.build(opts.supergraphSdl);
    this.planner = new QueryPlanner(supergraph);
    this.apiSchema = supergraph.apiSchema();
    this.apiGraphQLSchema = this.apiSchema.toGraphQLJSSchema();
    this.supergraphSchema = supergraph.schema.toGraphQLJSSchema();
    this.limiter = new Limiter(opts.maxFetches);
    const format = formatError(opts.logger);
    this.serialize = (result) =>
      JSON.stringify(
        result.errors
          ? {
              ...result,
              errors: result.errors.map((e: GraphQLError | GraphQLFormattedError) =>
                e instanceof GraphQLError ? format(e.toJSON(), e) : e,
              ),
            }
          : result,
      );
    const eventSource: GraphQLDataSource<EventContext> = {
      process: ({ context }) => Promise.resolve({ data: context.event ?? null }),
    };
    this.serviceMap = { ...opts.dataSources, [EVENT_SOURCE]: eventSource as GraphQLDataSource };
  }

  /** The plan of a subscription document, built once per document and operation name. */
  plan(document: DocumentNode, operationName: string | null | undefined, source: string): Planned {
    const key = `${operationName ?? ''}\n${source}`;
    let planned = this.plans.get(key);
    if (planned) return planned;
    const operation = operationFromDocument(this.apiSchema, document, {
      operationName: operationName ?? undefined,
    });
    const plan = this.planner.buildQueryPlan(operation);
    if (plan.node?.kind !== 'Subscription') throw new Error('not a subscription plan');
    const { primary, rest } = plan.node;
    const eventFetch: FetchNode = { ...primary, serviceName: EVENT_SOURCE };
    const node: PlanNode = rest ? { kind: 'Sequence', nodes: [eventFetch, rest] } : eventFetch;
    planned = {
      primary,
      perEvent: { kind: 'QueryPlan', node },
      operationContext: buildOperationContext({
        schema: this.apiGraphQLSchema,
        operationDocument: document,
        operationName: operationName ?? undefined,
      }),
    };
    if (this.plans.size > 1000) this.plans.clear();
    this.plans.set(key, planned);
    return planned;
  }

  /** graphql-ws client for one subgraph: lazy, one connection for all subscriptions to it. */
  client(serviceName: string): Client {
    let client = this.clients.get(serviceName);
    if (!client) {
      const url = new URL(this.opts.urls.get(serviceName) ?? '');
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      client = createClient({
        url: url.toString(),
        webSocketImpl: WebSocket,
        lazy: true,
        // Re-subscription (with fresh tokens) is ours: see SharedSubscription.
        retryAttempts: 0,
        keepAlive: 10_000,
        connectionParams: async () => ({ [WS_INTERNAL_TOKEN]: await this.opts.serviceToken() }),
      });
      this.clients.set(serviceName, client);
    }
    return client;
  }

  /**
   * Follows a subscription: its events go to `sink`; the iterator (for graphql-ws) yields nothing and
   * ends with the subscription.
   */
  subscribe(
    request: SubscriptionRequest,
    source: string,
    sink: SubscriptionSink,
  ): AsyncIterableIterator<ExecutionResult> {
    const planned = this.plan(request.document, request.operationName, source);
    const identity = `${request.viewer.userId ?? ''}|${request.viewer.apiKeyId ?? ''}|${[...request.viewer.roles].sort().join(',')}`;
    const key = `${identity}\n${request.operationName ?? ''}\n${JSON.stringify(request.variables)}\n${source}`;
    let shared = this.shared.get(key);
    if (!shared) {
      shared = new SharedSubscription(this, planned, request, () => this.shared.delete(key));
      this.shared.set(key, shared);
    }
    return shared.join(sink);
  }

  /** Subscriptions upstream (one per group of identical ones) and clients' subscriptions following them. */
  counts(): { upstream: number; following: number } {
    let following = 0;
    for (const s of this.shared.values()) following += s.followerCount;
    return { upstream: this.shared.size, following };
  }

  async close(): Promise<void> {
    for (const s of [...this.shared.values()]) s.end(null);
    await Promise.all([...this.clients.values()].map((c) => c.dispose()));
    this.clients.clear();
  }
}

export { EventResult, type SubscriptionSink } from './fan-out.js';
export type { FederatedSubscriptionsOptions, SubscriptionRequest } from './types.js';
