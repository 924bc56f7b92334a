import type { Redis } from 'ioredis';
import type { Logger } from '../lib/logger.js';
import { reservationsKey, type ReservationHold } from '../lib/reservations.js';
import type { SessionServiceClient } from '../lib/service-clients/session.js';
import type { StationServiceClient } from '../lib/service-clients/station.js';
import type { UserServiceClient } from '../lib/service-clients/user.js';

/**
 * Checks a charger's login: its Basic-auth password (security profiles 1 and 2), or, with
 * `certificateVerified` (profile 3: TLS verified its client certificate and its CN is the identity),
 * only that the charger is registered.
 */
export interface ChargerAuthenticator {
  authenticate(
    identity: string,
    password: Buffer | undefined,
    opts?: { certificateVerified?: boolean },
  ): Promise<{ chargerId: string } | null>;
}

export type IdTokenStatus = 'Accepted' | 'Invalid' | 'Blocked' | 'Expired';

/** Answers "may this id token charge?". */
export interface IdTokenAuthorizer {
  authorize(
    idToken: string,
  ): Promise<{ status: IdTokenStatus; userId: string | null; expiresAt?: Date | null }>;
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
    async authenticate(identity, password, opts) {
      if (password) return station.chargerAuthentication(identity, password.toString('utf8'));
      if (!opts?.certificateVerified) return null;
      const placement = await station.chargerPlacement({ identity });
      return placement?.chargerId ? { chargerId: placement.chargerId } : null;
    },
  };
}

/** Asks the user subgraph, which owns id tokens. */
export function userIdTokenAuthorizer(users: UserServiceClient): IdTokenAuthorizer {
  return {
    async authorize(idToken) {
      const answer = await users.idTokenAuthorization(idToken);
      return {
        status: STATUS[answer.status] ?? 'Invalid',
        userId: answer.userId,
        expiresAt: answer.expiresAt ? new Date(answer.expiresAt) : null,
      };
    },
  };
}

/**
 * Answers "can this token's owner pay for a session here?" (the escrow check before charging, owned by
 * the session subgraph). `reserveFor` (identity|transactionId) reserves the hold when allowed.
 */
export interface ChargeGuard {
  check(
    identity: string,
    userId: string,
    evseId: number | null,
    reserveFor: string | null,
  ): Promise<{ allowed: boolean; reason: string | null }>;
}

/** The reservation held on a charger's EVSE, if any (lib/reservations.ts). */
export interface ReservationLookup {
  at(identity: string, evseId: number): Promise<ReservationHold | null>;
}

/** Reads the station subgraph's reservation holds in Redis; unreadable: none (the charger holds it too). */
export function redisReservations(redis: Redis, prefix: string, logger: Logger): ReservationLookup {
  return {
    async at(identity, evseId) {
      try {
        const raw = await redis.hget(reservationsKey(prefix, identity), String(evseId));
        return raw ? (JSON.parse(raw) as ReservationHold) : null;
      } catch (err) {
        logger.warn({ err, identity }, 'reservations unreadable; start allowed');
        return null;
      }
    },
  };
}

/** The id-token status a charger is told when a start is on an EVSE reserved for another driver. */
export const reservedStatus = (protocol: 'OCPP16' | 'OCPP201') =>
  protocol === 'OCPP16' ? 'Invalid' : 'NotAtThisTime';

/**
 * The id-token status a charger is told when the charge guard refuses: the EVSE has a session in
 * progress → ConcurrentTx; the charger has no such EVSE → Invalid (1.6) / NotAtThisLocation (2.0.1);
 * the escrow cannot pay → Blocked (1.6, which has no NoCredit) / NoCredit (2.0.1).
 */
export function refusalStatus(protocol: 'OCPP16' | 'OCPP201', reason: string | null): string {
  if (reason === 'EVSE_BUSY') return 'ConcurrentTx';
  if (reason === 'UNKNOWN_EVSE') return protocol === 'OCPP16' ? 'Invalid' : 'NotAtThisLocation';
  return protocol === 'OCPP16' ? 'Blocked' : 'NoCredit';
}

/**
 * Asks the session subgraph. When it cannot answer (down, slow), the driver is let charge and a
 * warning is logged: a charger that cannot start for a platform outage strands drivers, and a session
 * the escrow cannot pay ends FAILED with its reason, to be retried, rather than paid by anyone else.
 */
export function sessionChargeGuard(sessions: SessionServiceClient, logger: Logger): ChargeGuard {
  return {
    async check(identity, userId, evseId, reserveFor) {
      try {
        return await sessions.chargeHold(identity, userId, evseId, reserveFor);
      } catch (err) {
        logger.warn({ err, identity }, 'escrow check before charging unavailable; allowed');
        return { allowed: true, reason: null };
      }
    },
  };
}
