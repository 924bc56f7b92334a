import { ErrorCode } from '../lib/errors.js';
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
 */
import { operationFromDocument, Supergraph, type Schema } from '@apollo/federation-internals';
import {
  buildOperationContext,
  executeQueryPlan,
  type GraphQLDataSource,
  type ServiceMap,
} from '@apollo/gateway';
import { QueryPlanner, type FetchNode, type PlanNode, type QueryPlan } from '@apollo/query-planner';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import {
  GraphQLError,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import type { Viewer } from '../lib/auth.js';
import { formatError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { WS_INTERNAL_TOKEN } from '../lib/subgraph.js';
import type { GatewayContext } from './auth.js';

type Upstream = FormattedExecutionResult<Record<string, unknown>, unknown>;

/** The service name the primary fetch is renamed to: its "answer" is the event in hand. */
const EVENT_SOURCE = '__subscription_event__';
/** Events of one shared subscription waiting for their entity fetches; beyond it the oldest go. */
const PENDING_EVENTS = 16;
/** Upstream re-subscription after a lost connection: attempts, first delay and longest delay. */
const RESUBSCRIBE = { attempts: 8, firstMs: 250, maxMs: 5000 };

export interface SubscriptionRequest {
  document: DocumentNode;
  operationName?: string | null;
  variables: Record<string, unknown>;
  viewer: Viewer;
}

/** One event's result for every client that follows it: serialized once, framed once per subscription id. */
export class EventResult {
  private json: string | undefined;
  private readonly frames = new Map<string, Buffer>();

  constructor(
    readonly result: ExecutionResult,
    private readonly serialize: (result: ExecutionResult) => string,
  ) {}

  /** The graphql-ws `next` message for subscription `id`, ready to be written as a text frame. */
  frame(id: string): Buffer {
    let frame = this.frames.get(id);
    if (!frame) {
      this.json ??= this.serialize(this.result);
      frame = Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":${this.json}}`);
      if (this.frames.size < 64) this.frames.set(id, frame);
    }
    return frame;
  }
}

/** Where one client's subscription gets its events. */
/** The subgraph that serves a subscription stayed away through every resubscription. */
class UpstreamUnavailable extends Error {}

export interface SubscriptionSink {
  /** The subscription id the client chose. */
  readonly id: string;
  next(event: EventResult): void;
  /** The subscription is over (the sink is not called again). */
  close(): void;
}

/**
 * What graphql-ws iterates for a subscription whose events go straight to its sink: it yields
 * nothing, and finishes when the subscription ends (with the error, if it ended with one). graphql-ws
 * calls `return()` when the client completes or goes away.
 */
class Following implements AsyncIterableIterator<ExecutionResult> {
  private outcome: { error: unknown } | null = null;
  private waiting: {
    resolve: (r: IteratorResult<ExecutionResult>) => void;
    reject: (e: Error) => void;
  } | null = null;

  constructor(
    readonly sink: SubscriptionSink,
    private readonly onReturn: (following: Following) => void,
  ) {}

  end(error: unknown = null): void {
    if (this.outcome) return;
    this.outcome = { error };
    this.sink.close();
    this.onReturn(this);
    const waiting = this.waiting;
    this.waiting = null;
    if (waiting) this.next().then(waiting.resolve, waiting.reject);
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    if (!this.outcome) return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
    const { error } = this.outcome;
    this.outcome.error = null;
    if (error) return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    return Promise.resolve({ value: undefined, done: true });
  }

  return(): Promise<IteratorResult<ExecutionResult>> {
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
    this.end();
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}

interface EventContext extends GatewayContext {
  event?: Record<string, unknown>;
}

/** A counting semaphore: subgraph fetches for subscription events are bounded across the gateway. */
class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly max: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await work();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

interface Planned {
  primary: FetchNode;
  /** The primary fetch renamed to the event source, then the rest of the plan. */
  perEvent: QueryPlan;
  operationContext: ReturnType<typeof buildOperationContext>;
}

export interface FederatedSubscriptionsOptions {
  supergraphSdl: string;
  /** Subgraph name → its GraphQL HTTP URL (the WebSocket URL is derived from it). */
  urls: Map<string, string>;
  /** The gateway's data sources, for the entity fetches of each event. */
  dataSources: ServiceMap;
  /** The internal token for `viewer` (short-lived: asked for again per event and per reconnection). */
  internalToken: (viewer: Viewer) => Promise<string>;
  /** A token that lets the gateway open connections to the subgraphs. */
  serviceToken: () => Promise<string>;
  maxFetches: number;
  logger: Logger;
}

export class FederatedSubscriptions {
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

/** One upstream subscription and the clients following it. */
class SharedSubscription {
  private readonly followers = new Set<Following>();
  private unsubscribe: (() => void) | null = null;
  private readonly pending: Upstream[] = [];
  private draining = false;
  private attempts = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(
    private readonly owner: FederatedSubscriptions,
    private readonly planned: Planned,
    private readonly request: SubscriptionRequest,
    private readonly onEnd: () => void,
  ) {
    void this.open();
  }

  get followerCount(): number {
    return this.followers.size;
  }

  join(sink: SubscriptionSink): Following {
    const following = new Following(sink, (f) => {
      this.followers.delete(f);
      if (this.followers.size === 0) this.end(null);
    });
    this.followers.add(following);
    return following;
  }

  private deliver(result: ExecutionResult): void {
    const event = new EventResult(result, this.owner.serialize);
    for (const following of this.followers) following.sink.next(event);
  }

  private async open(): Promise<void> {
    const { primary } = this.planned;
    let token: string;
    try {
      token = await this.owner.opts.internalToken(this.request.viewer);
    } catch (err) {
      this.end(err);
      return;
    }
    if (this.ended) return;
    const variables = Object.fromEntries(
      (primary.variableUsages ?? []).map((name) => [name, this.request.variables[name]]),
    );
    this.unsubscribe = this.owner.client(primary.serviceName).subscribe(
      {
        query: primary.operation,
        operationName: primary.operationName,
        variables,
        extensions: { [WS_INTERNAL_TOKEN]: token },
      },
      {
        next: (result) => {
          this.attempts = 0;
          this.received(result);
        },
        error: (err) => this.lost(err),
        complete: () => this.end(null),
      },
    );
  }

  /** The upstream connection went away (subgraph restart, network): subscribe again, then give up. */
  private lost(err: unknown): void {
    this.unsubscribe = null;
    if (this.ended) return;
    if (Array.isArray(err)) {
      // GraphQL errors from the subgraph (a refused subscription): the client gets them as they are.
      this.deliverErrors(err as GraphQLError[]);
      this.end(null);
      return;
    }
    if (this.attempts >= RESUBSCRIBE.attempts) {
      this.owner.opts.logger.warn(
        { service: this.planned.primary.serviceName },
        'upstream subscription lost',
      );
      this.end(
        new UpstreamUnavailable(
          `The ${this.planned.primary.serviceName} service is unavailable: subscribe again later`,
        ),
      );
      return;
    }
    const delay = Math.min(RESUBSCRIBE.maxMs, RESUBSCRIBE.firstMs * 2 ** this.attempts++);
    this.retryTimer = setTimeout(() => void this.open(), delay);
  }

  private received(result: Upstream): void {
    if (!result.data) {
      // No event, only errors: the subgraph refused or failed the subscription.
      this.deliverErrors(result.errors ?? [{ message: 'Subscription failed' }]);
      return;
    }
    if (this.pending.length >= PENDING_EVENTS) this.pending.shift();
    this.pending.push(result);
    if (!this.draining) void this.drain();
  }

  /** Events are resolved one after another, in order, each through the rest of the plan. */
  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.pending.length && !this.ended) {
        const event = this.pending.shift()!;
        this.deliver(await this.owner.limiter.run(() => this.resolve(event)));
      }
    } finally {
      this.draining = false;
    }
  }

  private async resolve(event: Upstream): Promise<ExecutionResult> {
    const { viewer, variables, operationName } = this.request;
    const context: EventContext = {
      viewer,
      internalToken: await this.owner.opts.internalToken(viewer),
      event: event.data as Record<string, unknown>,
    };
    const requestContext = {
      request: { variables, operationName: operationName ?? undefined },
      context,
      logger: this.owner.opts.logger,
      metrics: {},
    } as unknown as GatewayGraphQLRequestContext;
    const result = await executeQueryPlan(
      this.planned.perEvent,
      this.owner.serviceMap,
      requestContext,
      this.planned.operationContext,
      this.owner.supergraphSchema,
      this.owner.apiSchema,
    );
    const upstreamErrors = (event.errors ?? []).map(
      (e) => new GraphQLError(e.message, { extensions: e.extensions }),
    );
    const errors = [...upstreamErrors, ...(result.errors ?? [])];
    return errors.length ? { data: result.data ?? null, errors } : { data: result.data ?? null };
  }

  private deliverErrors(errors: readonly { message: string; extensions?: Record<string, unknown> }[]): void {
    this.deliver({
      data: null,
      errors: errors.map((e) => new GraphQLError(e.message, { extensions: e.extensions })),
    });
  }

  /**
   * Ends the upstream and every client following it. With `error`, each follower first gets an error
   * frame with a code (SERVICE_UNAVAILABLE for a lost subgraph, INTERNAL_SERVER_ERROR otherwise, its
   * details logged, not sent), as an HTTP client would.
   */
  end(error: unknown): void {
    if (this.ended) return;
    if (error) {
      const unavailable = error instanceof UpstreamUnavailable;
      if (!unavailable) this.owner.opts.logger.error({ err: error }, 'subscription failed');
      this.deliverErrors([
        {
          message: unavailable ? (error as Error).message : 'The subscription failed; subscribe again',
          extensions: { code: unavailable ? ErrorCode.SERVICE_UNAVAILABLE : ErrorCode.INTERNAL_SERVER_ERROR },
        },
      ]);
    }
    this.ended = true;
    clearTimeout(this.retryTimer);
    this.onEnd();
    this.unsubscribe?.();
    this.unsubscribe = null;
    for (const following of [...this.followers]) following.end(null);
    this.followers.clear();
  }
}
