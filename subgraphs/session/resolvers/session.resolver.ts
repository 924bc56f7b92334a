import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { hasRole, Role } from '../../../lib/auth.js';
import { conflict, forbidden } from '../../../lib/errors.js';
import { ChargingSession } from '../entities/charging-session.entity.js';
import { SessionStatus } from '../entities/enums.js';
import { MeterValue } from '../entities/meter-value.entity.js';
import { Tariff } from '../entities/tariff.entity.js';
import type { SessionContext } from '../context.js';
import { Charger } from '../entities/charger.reference.js';
import { Station } from '../entities/station.reference.js';
import { User } from '../entities/user.reference.js';
import { formatMoney } from '../services/money.js';
import { receiptLines } from '../services/receipt.js';
import {
  ChargingSessionConnection,
  CostBreakdown,
  Download,
  Receipt,
  SessionFilter,
} from './types/session.types.js';
import { ARG } from '../../../lib/arg-descriptions.js';

/**
 * An id token as shown to someone other than its owner: its last four characters behind a fixed
 * mask, so that neither the tag nor its length can be read off (a tag of four or fewer: the mask).
 */
export const maskIdToken = (token: string) => `****${token.length > 4 ? token.slice(-4) : ''}`;

@Resolver(() => ChargingSession)
export class SessionResolver {
  @FieldResolver(() => String, {
    nullable: true,
    description:
      'The id token (RFID card, app token) that started it: in full to its driver and admins; to anyone ' +
      'else (the operator, auditors) only its last four characters, e.g. `****1A2B`.',
  })
  idToken(@Root() session: ChargingSession, @Ctx() ctx: SessionContext): string | null {
    if (session.idToken === null) return null;
    const owner = session.userId !== null && session.userId === ctx.viewer.userId;
    return owner || hasRole(ctx.viewer, Role.ADMIN) ? session.idToken : maskIdToken(session.idToken);
  }

  @Authorized()
  @Query(() => ChargingSession, {
    description: 'One session: its driver, its operator, auditors and admins.',
  })
  session(
    @Arg('id', () => ID, { description: "The charging session's id." }) id: string,
    @Ctx() ctx: SessionContext,
  ) {
    return ctx.sessions.get(id, ctx.viewer);
  }

  @Authorized(Role.OPERATOR, Role.AUDITOR)
  @Query(() => ChargingSessionConnection, {
    description: 'Sessions, newest first: an operator’s own stations’; auditors and admins see all.',
  })
  sessions(
    @Ctx() ctx: SessionContext,
    @Arg('filter', () => SessionFilter, {
      nullable: true,
      description: ARG.filter,
    })
    filter?: SessionFilter,
    @Arg('first', () => Int, { nullable: true, description: ARG.first })
    first?: number,
    @Arg('after', () => String, {
      nullable: true,
      description: ARG.after,
    })
    after?: string,
  ) {
    return ctx.sessions.list(ctx.viewer, filter ?? {}, first, after);
  }

  @Authorized()
  @Query(() => ChargingSessionConnection, { description: 'The signed-in driver’s sessions, newest first.' })
  mySessions(
    @Ctx() ctx: SessionContext,
    @Arg('first', () => Int, { nullable: true, description: ARG.first })
    first?: number,
    @Arg('after', () => String, {
      nullable: true,
      description: ARG.after,
    })
    after?: string,
  ) {
    return ctx.sessions.ofUser(ctx.viewer.userId!, first, after);
  }

  @Authorized()
  @Mutation(() => Download, {
    description:
      'A link to a CSV of the sessions that started from–to (at most 366 days; optionally one station), streamed by the gateway: for admins and auditors every session, for operators their stations’, for anyone else their own. One row per session: ids, times (UTC ISO 8601), energy in Wh, the cost and its lines as decimals, the settlement status and transaction.',
  })
  exportSessions(
    @Arg('from', { description: ARG.from }) from: Date,
    @Arg('to', { description: ARG.to }) to: Date,
    @Ctx() ctx: SessionContext,
    @Arg('stationId', () => ID, { nullable: true, description: ARG.stationId })
    stationId?: string | null,
  ) {
    return ctx.exportSessions(from, to, stationId ?? null);
  }

  @Authorized()
  @Mutation(() => ChargingSession, {
    description:
      'Asks the charger to stop an active session (RemoteStop / RequestStop): its driver, its operator, or an ' +
      'admin. Returns the session; it completes when the charger reports the stop.',
  })
  async stopCharging(
    @Arg('sessionId', () => ID, { description: ARG.sessionId }) sessionId: string,
    @Ctx() ctx: SessionContext,
  ) {
    const session = await ctx.sessions.get(sessionId, ctx.viewer);
    if (
      hasRole(ctx.viewer, Role.AUDITOR) &&
      !hasRole(ctx.viewer, Role.ADMIN) &&
      session.userId !== ctx.viewer.userId &&
      session.operatorId !== ctx.viewer.userId
    ) {
      throw forbidden('Auditors read sessions; they do not stop them');
    }
    if (session.status !== SessionStatus.ACTIVE) throw conflict('The session is not active');
    const answer = await ctx.commands.send(session.chargerIdentity, {
      type: 'stop',
      transactionId: session.transactionId,
    });
    if (answer.status !== 'Accepted') throw conflict(`The charger answered ${answer.status}`);
    return session;
  }

  @Authorized(Role.OPERATOR, Role.ADMIN)
  @Mutation(() => ChargingSession, {
    description:
      'Resolves a DISPUTED session (its energy exceeded what its EVSE can deliver in the time): `settle` true ' +
      'settles it as metered, false writes it off (never charged). Its operator or an admin; CONFLICT when ' +
      'it is not DISPUTED.',
  })
  async resolveSessionDispute(
    @Arg('sessionId', () => ID, { description: ARG.sessionId }) sessionId: string,
    @Arg('settle', { description: 'true: settle it as metered; false: write it off (never charged).' })
    settle: boolean,
    @Ctx() ctx: SessionContext,
  ) {
    const session = await ctx.sessions.resolveDispute(sessionId, ctx.viewer, settle);
    if (settle) await ctx.settlements.prepare(session);
    return session;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Total cost as a decimal string in `currency`, once completed. See Tariff for the rules.',
  })
  cost(@Root() s: ChargingSession): string | null {
    return s.costMicros == null ? null : formatMoney(s.costMicros);
  }

  @FieldResolver(() => String, {
    description:
      'What it costs so far, a decimal string in `currency`: `cost` once completed; while active, what it would cost if it stopped at its last meter value (with the driver’s plan benefit of that moment), an estimate until the stop prices it.',
  })
  costSoFar(@Root() s: ChargingSession, @Ctx() ctx: SessionContext): Promise<string> {
    return ctx.sessions.costSoFar(s).then(formatMoney);
  }

  @FieldResolver(() => CostBreakdown, {
    nullable: true,
    description: 'The price in parts; null until priced.',
  })
  costBreakdown(@Root() s: ChargingSession): CostBreakdown | null {
    const b = s.costBreakdown;
    if (!b || s.costMicros == null) return null;
    return {
      energy: formatMoney(b.energyMicros ?? 0),
      time: formatMoney(b.timeMicros ?? 0),
      planDiscount: formatMoney((b.plan?.energyDiscountMicros ?? 0) + (b.plan?.timeDiscountMicros ?? 0)),
      idle: formatMoney(b.idleMicros ?? 0),
      sessionFee: formatMoney(b.sessionFeeMicros ?? 0),
      total: formatMoney(s.costMicros),
    };
  }

  @FieldResolver(() => Receipt, {
    nullable: true,
    description:
      'The receipt of a COMPLETED session: its priced lines with quantities and unit prices, the total, where and when, and the settlement transaction. Null until completed (and while DISPUTED).',
  })
  async receipt(@Root() s: ChargingSession, @Ctx() ctx: SessionContext): Promise<Receipt | null> {
    if (s.status !== SessionStatus.COMPLETED || s.costMicros == null || !s.stoppedAt) return null;
    const tariff = s.tariffId ? await ctx.tariffs.byId(s.tariffId) : null;
    return {
      lines: receiptLines(tariff, {
        energyWh: s.energyWh,
        startedAt: s.startedAt,
        stoppedAt: s.stoppedAt,
        idleMinutes: s.idleMinutes,
        breakdown: s.costBreakdown,
      }),
      total: formatMoney(s.costMicros),
      currency: s.currency,
      energyWh: s.energyWh,
      startedAt: s.startedAt,
      stoppedAt: s.stoppedAt,
      settlementStatus: s.settlementStatus,
      settlementTxHash: s.settlementTxHash,
      stationId: s.stationId,
    };
  }

  @FieldResolver(() => [MeterValue], { description: 'The meter time series, oldest first (at most `last`).' })
  meterValues(
    @Root() s: ChargingSession,
    @Ctx() ctx: SessionContext,
    @Arg('limit', () => Int, {
      nullable: true,
      defaultValue: 500,
      description: 'At most this many readings, oldest first.',
    })
    limit: number,
  ) {
    return ctx.sessions.meterValues(s.id, Math.min(Math.max(limit, 1), 5000));
  }

  @FieldResolver(() => Tariff, { nullable: true, description: 'The tariff it is priced with.' })
  tariff(@Root() s: ChargingSession, @Ctx() ctx: SessionContext) {
    return ctx.tariffs.byId(s.tariffId);
  }

  @FieldResolver(() => Int, {
    nullable: true,
    description:
      'The EVSE the session is on; null while the charger has not said (an OCPP 2.0.1 start without `evse`).',
  })
  evseId(@Root() session: ChargingSession): number | null {
    return session.evseId || null;
  }

  @FieldResolver(() => Charger, { description: 'The charger it ran on.' })
  charger(@Root() s: ChargingSession): Charger {
    return { id: s.chargerId };
  }

  @FieldResolver(() => Station, { description: 'The station it ran at.' })
  station(@Root() s: ChargingSession): Station {
    return { id: s.stationId };
  }

  @FieldResolver(() => User, {
    nullable: true,
    description: 'The driver, when the id token belongs to an account.',
  })
  user(@Root() s: ChargingSession): User | null {
    return s.userId ? { id: s.userId } : null;
  }
}

@Resolver(() => Receipt)
export class ReceiptResolver {
  @FieldResolver(() => Station, {
    description: 'Where the session was (name and address from the station subgraph).',
  })
  station(@Root() r: Receipt): Station {
    return { id: r.stationId };
  }
}
