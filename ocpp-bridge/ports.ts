import type { StationServiceClient } from '../lib/service-clients/station.js';
import type { UserServiceClient } from '../lib/service-clients/user.js';

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
export function stationAuthenticator(station: StationServiceClient): ChargerAuthenticator {
  return {
    async authenticate(identity, password) {
      if (!password) return null;
      return station.chargerAuthentication(identity, password.toString('utf8'));
    },
  };
}

/** Asks the user subgraph, which owns id tokens. */
export function userIdTokenAuthorizer(users: UserServiceClient): IdTokenAuthorizer {
  return {
    async authorize(idToken) {
      const answer = await users.idTokenAuthorization(idToken);
      return { status: STATUS[answer.status] ?? 'Invalid', userId: answer.userId };
    },
  };
}
