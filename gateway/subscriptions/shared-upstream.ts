/** One upstream subscription shared by identical subscriptions, and the execution of each event. */
import { ErrorCode } from '../../lib/errors.js';
import { executeQueryPlan } from '@apollo/gateway';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { GraphQLError, type ExecutionResult } from 'graphql';
import { WS_INTERNAL_TOKEN } from '../../lib/subgraph.js';
import { EventResult, Following, UpstreamUnavailable, type SubscriptionSink } from './fan-out.js';
import { PENDING_EVENTS, RESUBSCRIBE } from './limits.js';
import type { EventContext, Planned, SubscriptionRequest, Upstream, UpstreamOwner } from './types.js';

/** One upstream subscription and the clients following it. */
export class SharedSubscription {
  private readonly followers = new Set<Following>();
  private unsubscribe: (() => void) | null = null;
  private readonly pending: Upstream[] = [];
  private draining = false;
  private attempts = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(
    private readonly owner: UpstreamOwner,
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
