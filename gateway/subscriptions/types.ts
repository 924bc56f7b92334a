/** Types shared by the parts of federated subscriptions (see index.ts). */
import { buildOperationContext } from '@apollo/gateway';
import { type FetchNode, type QueryPlan } from '@apollo/query-planner';
import { type DocumentNode } from 'graphql';
import { type FormattedExecutionResult } from 'graphql-ws';
import type { Viewer } from '../../lib/auth.js';
import type { GatewayContext } from '../auth.js';

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
