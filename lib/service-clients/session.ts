/**
 * The session subgraph's internal operations, one function each, for the OCPP bridge. The fields are
 * `@inaccessible` in the supergraph and check the calling service.
 */
import type { ServiceClient } from '../service-client.js';

/** Whether a token owner may charge at a charger now (the escrow check before charging). */
export interface ChargeHoldAnswer {
  allowed: boolean;
  /** NO_WALLET, INSUFFICIENT_ESCROW, RECORD_LIMIT_TOO_LOW, UNKNOWN_EVSE or EVSE_BUSY; null when allowed. */
  reason: string | null;
}

/** The key of a transaction's hold on escrow: the charger and the transaction id it gave (or was given). */
export const chargeHoldKey = (identity: string, transactionId: string | number) =>
  `${identity}|${transactionId}`;

export class SessionServiceClient {
  constructor(private readonly client: ServiceClient) {}

  /** The drivers who charged at a station since `since`, most recent first (station subgraph). */
  async stationDrivers(stationId: string, since: Date): Promise<string[]> {
    const data = await this.client.request<{ stationDrivers: string[] }>(
      'query($s: ID!, $since: DateTimeISO!) { stationDrivers(stationId: $s, since: $since) }',
      { s: stationId, since: since.toISOString() },
    );
    return data.stationDrivers;
  }

  /**
   * May `userId` charge at this charger (its EVSE `evseId`, or any) now; with `reserveFor`
   * (`identity|transactionId`), an allowed answer reserves the session's hold on their escrow.
   */
  async chargeHold(
    identity: string,
    userId: string,
    evseId: number | null,
    reserveFor: string | null,
  ): Promise<ChargeHoldAnswer> {
    const data = await this.client.request<{ chargeHold: ChargeHoldAnswer }>(
      'query($i: String!, $u: ID!, $e: Int, $r: String) { chargeHold(identity: $i, userId: $u, evseId: $e, reserveFor: $r) { allowed reason } }',
      { i: identity, u: userId, e: evseId, r: reserveFor },
    );
    return data.chargeHold;
  }
}
