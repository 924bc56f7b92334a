import { isUuid, isUniqueViolation } from '../../../lib/ids.js';
import { chargeHoldKey } from '../../../lib/service-clients/session.js';
import { LockMode, QueryOrder } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { hasRole, Role, type Viewer } from '../../../lib/auth.js';
import { badInput, conflict, forbidden, notFound } from '../../../lib/errors.js';
import { decodeCursor, pageSize, toConnection } from '../../../lib/pagination.js';
import { ChargingSession } from '../entities/charging-session.entity.js';
import { SessionStatus } from '../entities/enums.js';
import { MeterValue } from '../entities/meter-value.entity.js';
import { Tariff } from '../entities/tariff.entity.js';
import { computeCost } from './pricing.js';

/** Sessions at stations without a tariff cost nothing. */
const FREE = {
  perKwhMicros: 0,
  perMinuteMicros: 0,
  sessionFeeMicros: 0,
  idleFeePerMinuteMicros: 0,
  idleGraceMinutes: 0,
};

/** A transaction began on a charger (1.6 StartTransaction, 2.0.1 TransactionEvent Started). */
export interface SessionStart {
  chargerIdentity: string;
  transactionId: string;
  evseId: number;
  connectorId: number;
  idToken: string | null;
  userId: string | null;
  timestamp: Date;
  meterStartWh: number;
}

/** A meter sample for a transaction. */
export interface SessionSample {
  chargerIdentity: string;
  transactionId: string;
  timestamp: Date;
  energyWh?: number | null;
  powerW?: number | null;
  soc?: number | null;
}

/** A transaction ended. */
export interface SessionStop {
  chargerIdentity: string;
  transactionId: string;
  timestamp: Date;
  meterStopWh?: number | null;
  reason?: string | null;
}

/** Where a charger sits and who runs it, as the station subgraph says. */
export interface Placement {
  chargerId: string;
  stationId: string;
  operatorId: string;
  /** Each EVSE's highest connector power, kW. */
  evsePowers?: { evseId: number; maxPowerKw: number }[];
}

/**
 * The tariff in force at a charger's EVSE: the most specific (EVSE over station), then the newest.
 * Without `evseId`, any of the charger's EVSE tariffs or the station's.
 */
export function tariffAt(
  em: EntityManager,
  placement: Pick<Placement, 'stationId' | 'chargerId'>,
  evseId: number | null,
): Promise<Tariff | null> {
  return em.findOne(
    Tariff,
    {
      stationId: placement.stationId,
      $or: [{ chargerId: null }, { chargerId: placement.chargerId, ...(evseId ? { evseId } : {}) }],
    },
    { orderBy: [{ evseId: QueryOrder.ASC_NULLS_LAST }, { createdAt: QueryOrder.DESC }] },
  );
}

/** Energy a meter may report beyond power × time before a session is DISPUTED (meter rounding, clocks). */
export const ENERGY_SLACK_WH = 100;

/**
 * The most energy an EVSE of `maxPowerKw` can plausibly deliver between `from` and `to`:
 * maxPowerKw × hours × (1 + tolerancePct / 100) + ENERGY_SLACK_WH, in Wh, rounded up.
 */
export function plausibleEnergyWh(maxPowerKw: number, from: Date, to: Date, tolerancePct: number) {
  const hours = Math.max(0, to.getTime() - from.getTime()) / 3_600_000;
  return Math.ceil(maxPowerKw * 1000 * hours * (1 + tolerancePct / 100)) + ENERGY_SLACK_WH;
}

/** An event that arrived before the session it belongs to; the job is retried later. */
export class SessionNotStartedError extends Error {
  override name = 'SessionNotStartedError';
}

export interface SessionFilter {
  status?: SessionStatus;
  stationId?: string;
  chargerId?: string;
}

/** Sessions from charger events, and who may read them. */
export class SessionService {
  constructor(
    private readonly em: EntityManager,
    private readonly defaultCurrency: string,
    /** SESSION_ENERGY_TOLERANCE_PCT: energy above power × time by more than this is DISPUTED. */
    private readonly energyTolerancePct = 10,
  ) {}

  /**
   * Resolves a DISPUTED session: its operator or an admin decides to settle it as metered (`settle`)
   * or to write it off (never charged). One conditional UPDATE: a second resolution finds nothing.
   */
  async resolveDispute(id: string, viewer: Viewer, settle: boolean): Promise<ChargingSession> {
    const session = await this.get(id, viewer);
    if (!hasRole(viewer, Role.ADMIN) && session.operatorId !== viewer.userId)
      throw forbidden('Only the session’s operator or an admin resolves a dispute');
    const changed = await this.em.nativeUpdate(
      ChargingSession,
      { id: session.id, status: SessionStatus.DISPUTED },
      {
        status: SessionStatus.COMPLETED,
        disputeResolution: settle ? 'SETTLE' : 'WRITE_OFF',
        disputeResolvedBy: viewer.userId,
      },
    );
    if (!changed) throw conflict('The session is not DISPUTED');
    await this.em.refresh(session);
    return session;
  }

  private find(chargerIdentity: string, transactionId: string) {
    return this.em.findOne(ChargingSession, { chargerIdentity, transactionId });
  }

  /**
   * Runs `work` on the session with its row locked, so that events of one session handled at once
   * (the queue has several workers) apply one after the other instead of overwriting each other.
   */
  private locked<T>(
    chargerIdentity: string,
    transactionId: string,
    work: (em: EntityManager, s: ChargingSession) => Promise<T>,
  ) {
    return this.em.transactional(async (em) => {
      const session = await em.findOne(
        ChargingSession,
        { chargerIdentity, transactionId },
        { lockMode: LockMode.PESSIMISTIC_WRITE },
      );
      if (!session) throw new SessionNotStartedError(`${chargerIdentity}/${transactionId}`);
      return work(em as EntityManager, session);
    });
  }

  /**
   * Creates the session once; a repeated start (a retried job, a charger resending) finds it. The
   * tariff in force at the start prices it: the most specific (EVSE over station), then the newest.
   */
  async start(event: SessionStart, placement: Placement): Promise<ChargingSession> {
    const existing = await this.find(event.chargerIdentity, event.transactionId);
    if (existing) return existing;
    const tariff = await tariffAt(this.em, placement, event.evseId);
    const session = this.em.create(ChargingSession, {
      chargerId: placement.chargerId,
      chargerIdentity: event.chargerIdentity,
      stationId: placement.stationId,
      operatorId: placement.operatorId,
      transactionId: event.transactionId,
      evseId: event.evseId,
      connectorId: event.connectorId,
      idToken: event.idToken,
      userId: event.userId,
      startedAt: event.timestamp,
      meterStartWh: event.meterStartWh,
      tariffId: tariff?.id ?? null,
      currency: tariff?.currency ?? this.defaultCurrency,
      evseMaxPowerKw: placement.evsePowers?.find((e) => e.evseId === event.evseId)?.maxPowerKw ?? null,
    });
    try {
      await this.em.flush();
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      this.em.clear();
      return (await this.find(event.chargerIdentity, event.transactionId))!;
    }
    return session;
  }

  /** Stores a sample (once) and updates the session's live figures if it is the newest. */
  sample(event: SessionSample): Promise<ChargingSession> {
    return this.locked(event.chargerIdentity, event.transactionId, async (em, session) => {
      // A finished session keeps the samples taken up to its stop (they may arrive after it); later
      // ones belong to no charging and are not added.
      if (session.status !== SessionStatus.ACTIVE && session.stoppedAt && event.timestamp > session.stoppedAt)
        return session;
      // A sample without a figure (the bridge drops those) would only move the last-sample time.
      if (event.energyWh == null && event.powerW == null && event.soc == null) return session;
      await em
        .createQueryBuilder(MeterValue)
        .insert({
          sessionId: session.id,
          timestamp: event.timestamp,
          energyWh: event.energyWh ?? null,
          powerW: event.powerW ?? null,
          soc: event.soc ?? null,
        })
        .onConflict(['sessionId', 'timestamp'])
        .ignore()
        .execute();
      if (
        session.status === SessionStatus.ACTIVE &&
        (!session.lastMeterAt || event.timestamp >= session.lastMeterAt)
      ) {
        session.lastMeterAt = event.timestamp;
        if (event.energyWh != null) {
          const delivered = event.energyWh - session.meterStartWh;
          if (delivered > session.energyWh) session.lastEnergyAt = event.timestamp;
          session.energyWh = Math.max(session.energyWh, delivered);
        }
        if (event.powerW != null) session.powerW = Math.round(event.powerW);
        if (event.soc != null) session.soc = Math.round(event.soc);
      }
      return session;
    });
  }

  /** Completes and prices the session; a repeated stop changes nothing. */
  stop(event: SessionStop): Promise<{ session: ChargingSession; completedNow: boolean }> {
    return this.locked(event.chargerIdentity, event.transactionId, async (em, session) => {
      if (session.status !== SessionStatus.ACTIVE) return { session, completedNow: false };
      // Samples dated after the stop belong to no charging: one handled before the stop is dropped here
      // (one handled after it is refused by sample()).
      await em.nativeDelete(MeterValue, { sessionId: session.id, timestamp: { $gt: event.timestamp } });
      if (session.lastMeterAt && session.lastMeterAt > event.timestamp) session.lastMeterAt = event.timestamp;
      if (session.lastEnergyAt && session.lastEnergyAt > event.timestamp)
        session.lastEnergyAt = event.timestamp;
      const meterStop = event.meterStopWh ?? session.meterStartWh + session.energyWh;
      const energyWh = Math.max(0, meterStop - session.meterStartWh);
      if (energyWh > session.energyWh) session.lastEnergyAt = event.timestamp;
      session.meterStopWh = meterStop;
      session.energyWh = energyWh;
      session.stoppedAt = event.timestamp;
      session.stopReason = event.reason ?? null;
      session.status = SessionStatus.COMPLETED;
      session.powerW = 0;
      const tariff = session.tariffId ? await em.findOne(Tariff, { id: session.tariffId }) : null;
      const cost = computeCost(tariff ?? FREE, {
        energyWh,
        startedAt: session.startedAt,
        stoppedAt: event.timestamp,
        lastEnergyAt: session.lastEnergyAt,
      });
      session.costMicros = cost.totalMicros;
      session.idleMinutes = cost.idleMinutes;
      session.costBreakdown = {
        energyMicros: cost.energyMicros,
        timeMicros: cost.timeMicros,
        idleMicros: cost.idleMicros,
        sessionFeeMicros: cost.sessionFeeMicros,
      };
      // Its hold on the driver's escrow ends; its cost counts instead until it is paid (ChargeGuard).
      await em.execute(
        'update "session"."charge_hold" set released_at = now() where key = ? and released_at is null',
        [chargeHoldKey(session.chargerIdentity, session.transactionId)],
      );
      // A charger (or whoever holds its credentials) reporting more energy than its EVSE can deliver
      // in the time would bill the token's owner for it: such a session waits for a person instead.
      if (session.evseMaxPowerKw != null) {
        const bound = plausibleEnergyWh(
          session.evseMaxPowerKw,
          session.startedAt,
          event.timestamp,
          this.energyTolerancePct,
        );
        if (energyWh > bound) {
          session.status = SessionStatus.DISPUTED;
          session.disputeReason =
            `${energyWh} Wh reported in ${Math.round((event.timestamp.getTime() - session.startedAt.getTime()) / 1000)} s; ` +
            `a ${session.evseMaxPowerKw} kW EVSE delivers at most ${bound} Wh in that time`;
        }
      }
      return { session, completedNow: true };
    });
  }

  /**
   * What the session costs so far, in micro-units: its final cost once completed; while active, the
   * cost it would have if it stopped at its last meter value (or at its start).
   */
  async costSoFar(session: ChargingSession): Promise<number> {
    if (session.costMicros != null) return session.costMicros;
    const tariff = session.tariffId ? await this.em.findOne(Tariff, { id: session.tariffId }) : null;
    return computeCost(tariff ?? FREE, {
      energyWh: session.energyWh,
      startedAt: session.startedAt,
      stoppedAt: session.lastMeterAt ?? session.startedAt,
      lastEnergyAt: session.lastEnergyAt,
    }).totalMicros;
  }

  /** One session, for its driver, its operator, auditors and admins. */
  async get(id: string, viewer: Viewer): Promise<ChargingSession> {
    const session = isUuid(id) ? await this.em.findOne(ChargingSession, { id }) : null;
    if (!session) throw notFound('Session', id);
    if (!canRead(viewer, session)) throw forbidden('Not your session');
    return session;
  }

  async activeOnCharger(chargerId: string, viewer: Viewer): Promise<ChargingSession | null> {
    const session = await this.em.findOne(
      ChargingSession,
      { chargerId, status: SessionStatus.ACTIVE },
      { orderBy: { startedAt: 'desc' } },
    );
    return session && canRead(viewer, session) ? session : null;
  }

  /** Sessions newest first. Operators see their stations' sessions; auditors and admins all. */
  async list(viewer: Viewer, filter: SessionFilter, first?: number, after?: string) {
    const where: Record<string, unknown> = {};
    if (!hasRole(viewer, Role.ADMIN, Role.AUDITOR)) where.operatorId = viewer.userId;
    return this.page(where, filter, first, after);
  }

  /** A driver's own sessions, newest first. */
  ofUser(userId: string, first?: number, after?: string) {
    return this.page({ userId }, {}, first, after);
  }

  meterValues(sessionId: string, limit: number) {
    return this.em.find(MeterValue, { sessionId }, { orderBy: { timestamp: 'asc' }, limit });
  }

  private async page(base: Record<string, unknown>, filter: SessionFilter, first?: number, after?: string) {
    const limit = pageSize(first);
    const where: Record<string, unknown> = { ...base };
    if (filter.status) where.status = filter.status;
    for (const field of ['stationId', 'chargerId'] as const) {
      const value = filter[field];
      if (value == null) continue;
      if (!isUuid(value)) throw badInput(`${field} is not a valid id`, `filter.${field}`);
      where[field] = value;
    }
    const key = decodeCursor(after, 2) as [string, string] | null;
    if (key) {
      const at = new Date(key[0]);
      where.$or = [{ startedAt: { $lt: at } }, { startedAt: at, id: { $lt: key[1] } }];
    }
    const rows = await this.em.find(ChargingSession, where, {
      orderBy: { startedAt: 'desc', id: 'desc' },
      limit: limit + 1,
    });
    return toConnection(rows, limit, (s) => [s.startedAt.toISOString(), s.id]);
  }
}

export function canRead(viewer: Viewer, session: ChargingSession): boolean {
  if (!viewer.userId) return false;
  return (
    session.userId === viewer.userId ||
    session.operatorId === viewer.userId ||
    hasRole(viewer, Role.ADMIN, Role.AUDITOR)
  );
}
