import type { ServiceClient } from '../lib/service-client.js';

/** Checks a charger's Basic-auth login (security profile 1, or 2 behind TLS). */
export interface ChargerAuthenticator {
  authenticate(identity: string, password: Buffer | undefined): Promise<{ chargerId: string } | null>;
}

export type IdTokenStatus = 'Accepted' | 'Invalid' | 'Blocked' | 'Expired';

/** Answers "may this id token charge?". */
export interface IdTokenAuthorizer {
  authorize(idToken: string): Promise<{ status: IdTokenStatus; userId: string | null }>;
}

const STATUS: Record<string, IdTokenStatus> = {
  ACCEPTED: 'Accepted',
  INVALID: 'Invalid',
  BLOCKED: 'Blocked',
  EXPIRED: 'Expired',
};

/** Asks the station subgraph, which owns charger credentials. */
export function stationAuthenticator(station: ServiceClient): ChargerAuthenticator {
  return {
    async authenticate(identity, password) {
      if (!password) return null;
      const data = await station.request<{ chargerAuthentication: { chargerId: string } | null }>(
        'query($i: String!, $p: String!) { chargerAuthentication(identity: $i, password: $p) { chargerId } }',
        { i: identity, p: password.toString('utf8') },
      );
      return data.chargerAuthentication;
    },
  };
}

/** Asks the user subgraph, which owns id tokens. */
export function userIdTokenAuthorizer(users: ServiceClient): IdTokenAuthorizer {
  return {
    async authorize(idToken) {
      const data = await users.request<{ idTokenAuthorization: { status: string; userId: string | null } }>(
        'query($t: String!) { idTokenAuthorization(token: $t) { status userId } }',
        { t: idToken },
      );
      return {
        status: STATUS[data.idTokenAuthorization.status] ?? 'Invalid',
        userId: data.idTokenAuthorization.userId,
      };
    },
  };
}
