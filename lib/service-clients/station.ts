/**
 * The station subgraph's internal operations, one function each, for the OCPP bridge and the session
 * subgraph. The fields are `@inaccessible` in the supergraph and check the calling service.
 */
import type { ServiceClient } from '../service-client.js';

/** Where a charger is, and who operates it. */
export interface ChargerPlacement {
  chargerId: string | null;
  stationId: string;
  operatorId: string;
  /** The station's IANA time zone. */
  timezone: string;
  /** Each EVSE's highest connector power, kW (asked by identity). */
  evsePowers: { evseId: number; maxPowerKw: number }[];
}

export class StationServiceClient {
  constructor(private readonly client: ServiceClient) {}

  /** The charger a Basic-auth login belongs to, or null (OCPP bridge). */
  async chargerAuthentication(identity: string, password: string): Promise<{ chargerId: string } | null> {
    const data = await this.client.request<{ chargerAuthentication: { chargerId: string } | null }>(
      'query($i: String!, $p: String!) { chargerAuthentication(identity: $i, password: $p) { chargerId } }',
      { i: identity, p: password },
    );
    return data.chargerAuthentication;
  }

  /** A charger's (by identity) or a station's placement, or null when there is no such thing. */
  async chargerPlacement(by: { identity: string } | { stationId: string }): Promise<ChargerPlacement | null> {
    const data = await this.client.request<{ chargerPlacement: ChargerPlacement | null }>(
      'query($i: String, $s: ID) { chargerPlacement(identity: $i, stationId: $s) { chargerId stationId operatorId timezone evsePowers { evseId maxPowerKw } } }',
      'identity' in by ? { i: by.identity } : { s: by.stationId },
    );
    return data.chargerPlacement;
  }

  /**
   * When an EVSE's connector last stopped charging within from–to, by its status history (its last
   * CHARGING report there followed by another status); null when it never reported CHARGING there,
   * or was still charging at `to`.
   */
  async chargingEndedAt(chargerId: string, evseId: number, from: Date, to: Date): Promise<Date | null> {
    const data = await this.client.request<{ chargingEndedAt: string | null }>(
      'query($c: ID!, $e: Int!, $f: DateTimeISO!, $t: DateTimeISO!) { chargingEndedAt(chargerId: $c, evseId: $e, from: $f, to: $t) }',
      { c: chargerId, e: evseId, f: from.toISOString(), t: to.toISOString() },
    );
    return data.chargingEndedAt ? new Date(data.chargingEndedAt) : null;
  }
}
