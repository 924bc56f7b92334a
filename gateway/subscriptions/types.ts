/** Types shared by the parts of federated subscriptions (see index.ts). */
import type { Schema } from '@apollo/federation-internals';
import type { buildOperationContext, ServiceMap } from '@apollo/gateway';
import { type FetchNode, type QueryPlan } from '@apollo/query-planner';
import type { DocumentNode, ExecutionResult, GraphQLSchema } from 'graphql';
import type { Client, FormattedExecutionResult } from 'graphql-ws';
import type { Viewer } from '../../lib/auth.js';
import type { Logger } from '../../lib/logger.js';
import type { GatewayContext } from '../auth.js';
import type { Limiter } from './limits.js';

export type Upstream = FormattedExecutionResult<Record<string, unknown>, unknown>;

/** The service name the primary fetch is renamed to: its "answer" is the event in hand. */
export const EVENT_SOURCE = '__subscription_event__';

export interface SubscriptionRequest {
  document: DocumentNode;
  operationName?: string | null;
  variables: Record<string, unknown>;
  viewer: Viewer;
}

export interface EventContext extends GatewayContext {
  event?: Record<string, unknown>;
}

export interface Planned {
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

/** What a shared upstream subscription uses of the FederatedSubscriptions that made it. */
export interface UpstreamOwner {
  readonly opts: FederatedSubscriptionsOptions;
  readonly supergraphSchema: GraphQLSchema;
  readonly apiSchema: Schema;
  readonly limiter: Limiter;
  readonly serviceMap: ServiceMap;
  readonly serialize: (result: ExecutionResult) => string;
  /** The graphql-ws client of one subgraph (opened on first use, shared). */
  client(serviceName: string): Client;
}
