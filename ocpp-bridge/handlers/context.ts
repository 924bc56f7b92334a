import type { Logger } from '../../lib/logger.js';
import type { OcppProtocol } from '../../lib/queues.js';
import type { EventSink } from '../events.js';
import type { ChargeGuard, IdTokenAuthorizer, ReservationLookup } from '../ports.js';

/** What every handler of one connection knows. */
export interface HandlerContext {
  identity: string;
  chargerId: string;
  protocol: OcppProtocol;
  events: EventSink;
  idTokens: IdTokenAuthorizer;
  /** The escrow check before charging; absent: every accepted token may charge. */
  chargeGuard?: ChargeGuard;
  heartbeatIntervalSeconds: number;
  logger: Logger;
  /** Reservations on the charger's EVSEs (absent: none are honoured). */
  reservations?: ReservationLookup;
  /**
   * 2.0.1: what this connection has forwarded of each open transaction's start (by transactionId), so
   * that a later event opens or completes it only when it tells something new (see transaction-event).
   */
  openTransactions: Map<string, { evse: boolean; token: boolean }>;
}

/**
 * A handler for one action: OCPP request params in, OCPP response out. The params have been validated
 * against the action's OCPP JSON schema (ocpp-rpc strict mode) before the handler runs.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- shape guaranteed by the OCPP schema
export type Handler<P = any, R = unknown> = (
  ctx: HandlerContext,
  params: P,
  messageId: string,
) => Promise<R> | R;

export const now = () => new Date().toISOString();
