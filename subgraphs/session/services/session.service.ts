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
import { computeCost, type ChargingEndedLookup } from './pricing.js';
import { planBenefitFor } from './plans.js';

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
  /** null: not said yet (a 2.0.1 Started without `evse`). */
  evseId: number | null;
  connectorId: number | null;
  idToken: string | null;
  userId: string | null;
  /** The id token's own status at the start (OCPP spelling: Accepted, Blocked, …); null without a token. */
  authorization?: string | null;
  timestamp: Date;
  /** null: the start carried no register reading. */
  meterStartWh: number | null;
  /** Opened from a later event (its Started never arrived, or not yet). */
  inferred?: boolean;
  /** The reservation it used, or `conflict`: its EVSE was reserved for another driver. */
  reservation?: { id: string } | 'conflict' | null;
}

/** ACCEPTED, BLOCKED, EXPIRED, INVALID: an OCPP AuthorizationStatus as the API spells enums. */
const authorizationOf = (status: string | null | undefined) =>
  status ? status.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase() : null;

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
  /** The readings the stop carried: stored before it is priced. */
  samples?: Omit<SessionSample, 'chargerIdentity' | 'transactionId'>[];
}

/** Where a charger sits and who runs it, as the station subgraph says. */
export interface Placement {
  chargerId: string;
  stationId: string;
  operatorId: string;
  /** The station's IANA time zone (reports' local days, time-of-use windows). */
  timezone?: string;
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
    /** When the connector stopped charging (idle fees); without it, idle time starts at the last energy increase. */
    private readonly chargingEnded?: ChargingEndedLookup,
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
   * Creates the session once; a repeated start (a retried job, a charger resending) finds it, and a
   * start that tells more than the session knows completes it (`merge`). The tariff in force at the
   * start prices it: the most specific (EVSE over station), then the newest.
   *
   * What keeps a session from being billed (its `anomalies`; it ends DISPUTED, for its operator to
   * settle or write off): a token the charger was not told Accepted, an EVSE the charger does not have,
   * another session active on its EVSE (the earlier one stays the EVSE's session). Checked under a lock
   * per EVSE, so two starts on one EVSE handled at once cannot both find it free.
   */
  async start(event: SessionStart, placement: Placement): Promise<ChargingSession> {
    const existing = await this.find(event.chargerIdentity, event.transactionId);
    if (existing) return this.needsMerge(existing, event) ? this.merge(event, placement) : existing;
    try {
      return await this.em.transactional(async (em) => {
        const evseId = event.evseId ?? 0;
        await em.execute('select pg_advisory_xact_lock(hashtext(?))', [
          `evse:${placement.chargerId}:${evseId}`,
        ]);
        const tariff = await tariffAt(em as EntityManager, placement, evseId || null);
        const session = em.create(ChargingSession, {
          chargerId: placement.chargerId,
          chargerIdentity: event.chargerIdentity,
          stationId: placement.stationId,
          operatorId: placement.operatorId,
          timezone: placement.timezone ?? 'UTC',
          transactionId: event.transactionId,
          evseId,
          connectorId: event.connectorId ?? (evseId ? 1 : 0),
          idToken: event.idToken,
          userId: event.userId,
          tokenStatus: authorizationOf(event.authorization),
          startedAt: event.timestamp,
          // No reading at the start: the lowest register reading received stands for it (see sample()).
          meterStartWh: event.meterStartWh ?? 0,
          meterStartSource: event.meterStartWh == null ? 'NONE' : event.inferred ? 'LOWEST_READING' : 'START',
          startInferred: Boolean(event.inferred),
          tariffId: tariff?.id ?? null,
          currency: tariff?.currency ?? this.defaultCurrency,
          evseMaxPowerKw: null,
          reservationId: event.reservation && event.reservation !== 'conflict' ? event.reservation.id : null,
        });
        session.anomalies = [
          ...(event.reservation === 'conflict' ? [`EVSE ${evseId} was reserved for another driver`] : []),
          ...tokenAnomalies(session),
          ...(await this.evseAnomalies(em as EntityManager, session, placement)),
        ];
        await em.flush();
        return session;
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      this.em.clear();
      const found = (await this.find(event.chargerIdentity, event.transactionId))!;
      return this.needsMerge(found, event) ? this.merge(event, placement) : found;
    }
  }

  private needsMerge(s: ChargingSession, event: SessionStart) {
    return (
      s.status === SessionStatus.ACTIVE &&
      ((s.startInferred && (!event.inferred || event.timestamp < s.startedAt)) ||
        (!s.evseId && event.evseId != null) ||
        (!s.idToken && event.idToken != null))
    );
  }

  /**
   * Completes an ACTIVE session from a start that tells more: the transaction's real start (or an
   * earlier event of it) sets when it began and, with a reading, its start register (the energy so far
   * is counted again from it); an EVSE or a token not known before is filled in and checked as at a
   * start. A finished session is not changed: what it was priced and settled with stands.
   */
  private merge(event: SessionStart, placement: Placement) {
    return this.locked(event.chargerIdentity, event.transactionId, async (em, s) => {
      if (!this.needsMerge(s, event)) return s;
      if (s.startInferred && (!event.inferred || event.timestamp < s.startedAt)) {
        if (event.timestamp < s.startedAt) s.startedAt = event.timestamp;
        if (!event.inferred) s.startInferred = false;
        if (event.meterStartWh != null && s.meterStartSource !== 'START') {
          // The real start's reading is the start; an earlier event's is a lower bound like any reading.
          if (!event.inferred || s.meterStartSource === 'NONE' || event.meterStartWh < s.meterStartWh)
            s.meterStartWh = event.meterStartWh;
          s.meterStartSource = event.inferred ? 'LOWEST_READING' : 'START';
          await this.recount(em, s);
        }
      }
      if (!s.evseId && event.evseId != null) {
        s.evseId = event.evseId;
        s.connectorId = event.connectorId ?? 1;
        await em.execute('select pg_advisory_xact_lock(hashtext(?))', [`evse:${s.chargerId}:${s.evseId}`]);
        s.tariffId = (await tariffAt(em, placement, s.evseId))?.id ?? s.tariffId;
        s.anomalies = [...s.anomalies, ...(await this.evseAnomalies(em, s, placement))];
      }
      if (!s.idToken && event.idToken != null) {
        s.idToken = event.idToken;
        s.userId = event.userId;
        s.tokenStatus = authorizationOf(event.authorization);
        s.anomalies = [...s.anomalies, ...tokenAnomalies(s)];
      }
      return s;
    });
  }

  /** An EVSE the charger does not have, or one with another session active: the EVSE's plausibility bound too. */
  private async evseAnomalies(em: EntityManager, s: ChargingSession, placement: Placement) {
    if (!s.evseId) return [];
    const evse = placement.evsePowers?.find((e) => e.evseId === s.evseId);
    s.evseMaxPowerKw = evse?.maxPowerKw ?? null;
    if (!evse) return [`EVSE ${s.evseId} is not registered on this charger`];
    // Another session in progress there, itself without anomalies (one the charger was told not to
    // run, e.g. on a refused token, does not hold the EVSE).
    const [other] = await em.execute<{ id: string }[]>(
      `select id from "session"."charging_session"
        where charger_id = ? and evse_id = ? and status = 'ACTIVE' and id <> ? and anomalies = '[]'::jsonb
        order by started_at limit 1`,
      [s.chargerId, s.evseId, s.id],
    );
    return other ? [`EVSE ${s.evseId} already had session ${other.id} in progress`] : [];
  }

  /**
   * Energy so far from the session's stored register readings, counted from its start register; while
   * that is not known (meterStartSource not START), the lowest reading received stands for it.
   */
  private async recount(em: EntityManager, s: ChargingSession) {
    const [row] = await em.execute<{ low: number | null; high: number | null }[]>(
      'select min(energy_wh) as low, max(energy_wh) as high from "session"."meter_value" where session_id = ?',
      [s.id],
    );
    if (row?.high == null) return;
    if (s.meterStartSource !== 'START') {
      const low = Number(row.low);
      if (s.meterStartSource === 'NONE' || low < s.meterStartWh) s.meterStartWh = low;
      s.meterStartSource = 'LOWEST_READING';
    }
    s.energyWh = Math.max(0, Number(row.high) - s.meterStartWh);
  }

  /** Stores a sample (once) and updates the session's live figures if it is the newest. */
  sample(event: SessionSample): Promise<ChargingSession> {
    return this.locked(event.chargerIdentity, event.transactionId, async (em, session) => {
      // A finished session keeps the samples taken up to its stop (they may arrive after it); later
      // ones belong to no charging and are not added.
      if (session.status !== SessionStatus.ACTIVE && session.stoppedAt && event.timestamp > session.stoppedAt)
        return session;
      await this.applySample(em, session, event);
      return session;
    });
  }

  /** Stores one sample of the session (once) and, while it is ACTIVE, its live figures. */
  private async applySample(
    em: EntityManager,
    session: ChargingSession,
    event: Omit<SessionSample, 'chargerIdentity' | 'transactionId'>,
  ): Promise<void> {
    // A sample without a figure (the bridge drops those) would only move the last-sample time.
    if (event.energyWh == null && event.powerW == null && event.soc == null) return;
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
    // A session whose start gave no register reading: the lowest reading received stands for it
    // (registers only grow), and the energy so far is counted again from it.
    if (
      session.status === SessionStatus.ACTIVE &&
      session.meterStartSource !== 'START' &&
      event.energyWh != null
    ) {
      const before = session.energyWh;
      await this.recount(em, session);
      if (session.energyWh > before && (!session.lastEnergyAt || event.timestamp > session.lastEnergyAt))
        session.lastEnergyAt = event.timestamp;
    }
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
  }

  /** Completes and prices the session; a repeated stop changes nothing. */
  stop(event: SessionStop): Promise<{ session: ChargingSession; completedNow: boolean }> {
    return this.locked(event.chargerIdentity, event.transactionId, async (em, session) => {
      if (session.status !== SessionStatus.ACTIVE) return { session, completedNow: false };
      // Samples dated after the stop belong to no charging: one handled before the stop is dropped here
      // (one handled after it is refused by sample()).
      await em.nativeDelete(MeterValue, { sessionId: session.id, timestamp: { $gt: event.timestamp } });
      // The readings the stop carried, before anything is priced (they may be the last period's only ones).
      for (const s of event.samples ?? [])
        if (s.timestamp <= event.timestamp) await this.applySample(em, session, s);
      if (session.lastMeterAt && session.lastMeterAt > event.timestamp) session.lastMeterAt = event.timestamp;
      if (session.lastEnergyAt && session.lastEnergyAt > event.timestamp)
        session.lastEnergyAt = event.timestamp;
      if (session.meterStartSource !== 'START') {
        // Its start came without a reading, or never: the lowest register reading received is its
        // start, the stop's own included (energy before the first reading the platform saw is not billed).
        await this.recount(em, session);
        if (
          event.meterStopWh != null &&
          (session.meterStartSource === 'NONE' || event.meterStopWh < session.meterStartWh)
        )
          session.meterStartWh = event.meterStopWh;
      }
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
      // Windows split the energy along the meter readings; an idle fee starts when the connector said
      // charging stopped (a failed lookup fails the job, which is retried: the price never guesses).
      const readings = tariff?.windows?.length
        ? (
            await em.find(
              MeterValue,
              { sessionId: session.id, energyWh: { $ne: null } },
              { orderBy: { timestamp: 'asc' } },
            )
          ).map((m) => ({ at: m.timestamp, energyWh: m.energyWh! - session.meterStartWh }))
        : undefined;
      const chargingEndedAt =
        tariff?.idleFeePerMinuteMicros && this.chargingEnded && session.evseId
          ? await this.chargingEnded(session.chargerId, session.evseId, session.startedAt, event.timestamp)
          : null;
      // The driver's subscription plan with this operator, in the period the session stopped in
      // (its charge row locked: sessions priced at once share its free minutes one after the other).
      const benefit = tariff ? await planBenefitFor(em, session, event.timestamp) : null;
      const cost = computeCost(
        tariff ?? FREE,
        {
          energyWh,
          startedAt: session.startedAt,
          stoppedAt: event.timestamp,
          lastEnergyAt: session.lastEnergyAt,
          chargingEndedAt,
          timezone: session.timezone,
          readings,
        },
        benefit,
      );
      session.costMicros = cost.totalMicros;
      session.idleMinutes = cost.idleMinutes;
      session.costBreakdown = {
        energyMicros: cost.energyMicros,
        timeMicros: cost.timeMicros,
        idleMicros: cost.idleMicros,
        sessionFeeMicros: cost.sessionFeeMicros,
        capMicros: cost.capMicros,
        periods: cost.periods,
        plan:
          benefit && cost.plan ? { ...cost.plan, chargeId: benefit.chargeId, planId: benefit.planId } : null,
      };
      // Its hold on the driver's escrow ends; its cost counts instead until it is paid (ChargeGuard).
      await em.execute(
        'update "session"."charge_hold" set released_at = now() where key = ? and released_at is null',
        [chargeHoldKey(session.chargerIdentity, session.transactionId)],
      );
      // A charger (or whoever holds its credentials) reporting more energy than its EVSE can deliver
      // in the time would bill the token's owner for it: such a session waits for a person instead.
      // A session with anomalies (a token not accepted, an EVSE not registered or busy, an EVSE never
      // said) is not billed unless a person decides so.
      const anomalies = [...session.anomalies];
      if (!session.evseId) anomalies.push('the charger never said which EVSE');
      if (anomalies.length) {
        session.status = SessionStatus.DISPUTED;
        session.disputeReason = anomalies.join('; ');
      }
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
            (session.disputeReason ? `${session.disputeReason}; ` : '') +
            `${energyWh} Wh reported in ${Math.round((event.timestamp.getTime() - session.startedAt.getTime()) / 1000)} s; ` +
            `a ${session.evseMaxPowerKw} kW EVSE delivers at most ${bound} Wh in that time`;
        }
      }
      return { session, completedNow: true };
    });
  }

  /**
   * What the session costs so far, in micro-units: its final cost once completed; while active, the
   * cost it would have if it stopped at its last meter value (or at its start), with the driver's
   * plan benefit of that moment (read unlocked: the stop's pricing decides).
   */
  async costSoFar(session: ChargingSession): Promise<number> {
    if (session.costMicros != null) return session.costMicros;
    const tariff = session.tariffId ? await this.em.findOne(Tariff, { id: session.tariffId }) : null;
    const stoppedAt = session.lastMeterAt ?? session.startedAt;
    const benefit = tariff ? await planBenefitFor(this.em, session, stoppedAt, { lock: false }) : null;
    return computeCost(
      tariff ?? FREE,
      {
        energyWh: session.energyWh,
        startedAt: session.startedAt,
        stoppedAt,
        lastEnergyAt: session.lastEnergyAt,
        timezone: session.timezone,
      },
      benefit,
    ).totalMicros;
  }

  /** One session, for its driver, its operator, auditors and admins. */
  async get(id: string, viewer: Viewer): Promise<ChargingSession> {
    const session = isUuid(id) ? await this.em.findOne(ChargingSession, { id }) : null;
    if (!session) throw notFound('Session', id);
    if (!canRead(viewer, session)) throw forbidden('Not your session');
    return session;
  }

  async activeOnCharger(chargerId: string, viewer: Viewer): Promise<ChargingSession | null> {
    // The newest of those without anomalies (a second start on a busy EVSE is not its session).
    const active = await this.em.find(
      ChargingSession,
      { chargerId, status: SessionStatus.ACTIVE },
      { orderBy: { startedAt: 'desc' }, limit: 20 },
    );
    const session = active.find((s) => s.anomalies.length === 0) ?? active[0] ?? null;
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

/** A token not Accepted at the start (unknown, blocked, expired): its owner is not billed for what the charger did anyway. */
function tokenAnomalies(s: ChargingSession): string[] {
  if (!s.idToken || !s.tokenStatus || s.tokenStatus === 'ACCEPTED') return [];
  return [`id token ${s.idToken} was ${s.tokenStatus} at the start`];
}

export function canRead(viewer: Viewer, session: ChargingSession): boolean {
  if (!viewer.userId) return false;
  return (
    session.userId === viewer.userId ||
    session.operatorId === viewer.userId ||
    hasRole(viewer, Role.ADMIN, Role.AUDITOR)
  );
}
