import type { EntityManager } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import { hasRole, Role, type Viewer } from '../../../lib/auth.js';
import type { ChargerCommandClient } from '../../../lib/charger-commands.js';
import { badInput, conflict, errorCodeOf, forbidden, notFound } from '../../../lib/errors.js';
import { isUniqueViolation, isUuid } from '../../../lib/ids.js';
import { reservationsKey, type ReservationHold } from '../../../lib/reservations.js';
import type { Charger } from '../entities/charger.entity.js';
import { Reservation, ReservationStatus } from '../entities/reservation.entity.js';
import { overlappingWindows } from './maintenance.service.js';
import type { StationService } from './station.service.js';

/** The longest a reservation may last. */
export const MAX_RESERVATION_MS = 24 * 3_600_000;

/** The Redis holds the bridges honour (lib/reservations.ts), kept as reservations change. */
export class ReservationHolds {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async hold(identity: string, r: Reservation): Promise<void> {
    const hold: ReservationHold = {
      id: r.id,
      ocppId: r.ocppId,
      idToken: r.idToken,
      userId: r.userId,
      expiresAt: r.expiresAt.toISOString(),
    };
    await this.redis.hset(reservationsKey(this.prefix, identity), String(r.evseId), JSON.stringify(hold));
  }

  /** Lets the EVSE go, unless another reservation holds it by now. */
  async release(identity: string, r: Reservation): Promise<void> {
    const key = reservationsKey(this.prefix, identity);
    const raw = await this.redis.hget(key, String(r.evseId));
    if (raw && (JSON.parse(raw) as ReservationHold).id === r.id) await this.redis.hdel(key, String(r.evseId));
  }
}

/**
 * Reservations (OCPP ReserveNow / CancelReservation): a driver holds an EVSE for one of their id
 * tokens for up to a day. At most one PENDING or ACTIVE per EVSE (a partial unique index takes the
 * race); the charger's answer decides ACTIVE or REJECTED; the bridges refuse other drivers' starts on
 * it (ReservationHolds) as the charger does.
 */
export class ReservationService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
    private readonly deps: {
      stations: StationService;
      commands: ChargerCommandClient;
      holds: ReservationHolds;
      idTokenStatus: (token: string) => Promise<{ status: string; userId: string | null }>;
    },
  ) {}

  async reserve(chargerId: string, evseId: number, expiresAt: Date, idToken: string): Promise<Reservation> {
    const userId = this.viewer.userId!;
    const charger = await this.deps.stations.charger(chargerId);
    await this.deps.stations.requireEvse(charger, evseId);
    const now = Date.now();
    if (!(expiresAt.getTime() > now + 60_000) || expiresAt.getTime() > now + MAX_RESERVATION_MS)
      throw badInput('expiresAt must be between a minute and a day from now', 'expiresAt');
    const token = idToken.trim().toUpperCase();
    const owned = await this.deps.idTokenStatus(token);
    if (owned.userId !== userId) throw badInput(`idToken ${token} is not one of yours`, 'idToken');
    if (owned.status !== 'ACCEPTED')
      throw badInput(`idToken ${token} is ${owned.status.toLowerCase()}`, 'idToken');
    // Not while the charger or the EVSE is down for maintenance.
    const [window] = await overlappingWindows(this.em, charger.id, evseId, new Date(), expiresAt);
    if (window)
      throw conflict(
        `EVSE ${evseId} is down for maintenance from ${window.startsAt.toISOString()} to ${window.endsAt.toISOString()}`,
      );
    // An ACTIVE one past its expiry no longer holds the EVSE.
    await this.em.nativeUpdate(
      Reservation,
      { charger: charger.id, evseId, status: ReservationStatus.ACTIVE, expiresAt: { $lte: new Date() } },
      { status: ReservationStatus.EXPIRED, updatedAt: new Date() },
    );
    const [{ id: ocppId }] = (await this.em.execute(
      `select nextval('"station"."reservation_ocpp_id_seq"')::int as id`,
    )) as [{ id: number }];
    const reservation = this.em.create(Reservation, {
      ocppId,
      charger,
      evseId,
      userId,
      idToken: token,
      expiresAt,
    });
    try {
      await this.em.flush();
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`EVSE ${evseId} is already reserved`);
      throw err;
    }
    let answer: string;
    try {
      ({ status: answer } = await this.deps.commands.send(charger.identity, {
        type: 'reserve',
        reservationId: ocppId,
        evseId,
        idToken: token,
        expiresAt: expiresAt.toISOString(),
      }));
    } catch (err) {
      // Not reached, or no answer: the EVSE is not held here (a charger that took it lets it expire).
      await this.settle(reservation, ReservationStatus.REJECTED, errorCodeOf(err) ?? 'Error');
      throw err;
    }
    if (answer === 'Accepted') {
      await this.settle(reservation, ReservationStatus.ACTIVE);
      await this.deps.holds.hold(charger.identity, reservation);
    } else await this.settle(reservation, ReservationStatus.REJECTED, answer);
    return reservation;
  }

  /** Cancels a PENDING or ACTIVE reservation: its driver, the station's operator, or an admin. */
  async cancel(id: string): Promise<Reservation> {
    const reservation = await this.get(id);
    const charger = await this.deps.stations.charger(reservation.charger.id);
    if (reservation.userId !== this.viewer.userId) await this.deps.stations.ownedCharger(charger.id);
    const status = reservation.statusAt(new Date());
    if (status !== ReservationStatus.ACTIVE && status !== ReservationStatus.PENDING)
      throw conflict(`The reservation is ${status}`);
    // A charger that no longer knows it (Rejected) holds nothing either: cancelled all the same.
    await this.deps.commands.send(charger.identity, {
      type: 'cancelReservation',
      reservationId: reservation.ocppId,
    });
    await this.settle(reservation, ReservationStatus.CANCELLED);
    await this.deps.holds.release(charger.identity, reservation);
    return reservation;
  }

  /** Current reservations (PENDING, ACTIVE) on a charger: all of them for its operator and admins, a driver's own for them. */
  async current(charger: Charger): Promise<Reservation[]> {
    const where: Record<string, unknown> = {
      charger: charger.id,
      status: { $in: [ReservationStatus.PENDING, ReservationStatus.ACTIVE] },
      expiresAt: { $gt: new Date() },
    };
    const station = await this.deps.stations.station(charger.station.id);
    if (station.operatorId !== this.viewer.userId && !hasRole(this.viewer, Role.ADMIN)) {
      if (!this.viewer.userId) return [];
      where.userId = this.viewer.userId;
    }
    return this.em.find(Reservation, where, { orderBy: { evseId: 'asc' } });
  }

  private async get(id: string): Promise<Reservation> {
    const reservation = isUuid(id) ? await this.em.findOne(Reservation, { id }) : null;
    if (!reservation) throw notFound('Reservation', id);
    if (reservation.userId !== this.viewer.userId && !hasRole(this.viewer, Role.ADMIN, Role.OPERATOR))
      throw forbidden('Not your reservation');
    return reservation;
  }

  private async settle(r: Reservation, status: ReservationStatus, chargerAnswer: string | null = null) {
    r.status = status;
    r.chargerAnswer = chargerAnswer;
    r.updatedAt = new Date();
    await this.em.flush();
  }
}
