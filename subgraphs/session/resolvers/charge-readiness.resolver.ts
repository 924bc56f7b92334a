import { Arg, Authorized, Ctx, Directive, ID, Int, Query, Resolver } from 'type-graphql';
import { isUuid } from '../../../lib/ids.js';
import { requireService } from '../../../lib/subgraph.js';
import type { SessionContext } from '../context.js';
import type { ChargeAnswer } from '../services/charge-guard.js';
import { formatMoney } from '../services/money.js';
import { ChargeReadiness } from './types/settlement.types.js';
import { ARG } from '../../../lib/arg-descriptions.js';

const readiness = (a: ChargeAnswer): ChargeReadiness => ({
  allowed: a.allowed,
  reason: a.reason,
  message: a.message,
  hold: formatMoney(a.holdMicros),
  free: a.freeMicros == null ? null : formatMoney(a.freeMicros),
});

@Resolver()
export class ChargeReadinessResolver {
  @Authorized()
  @Query(() => ChargeReadiness, {
    description:
      'Whether you may start charging at this charger (by its OCPP identity) now, and why not: the same check its ' +
      'Authorize and transaction start make.',
  })
  async chargingReadiness(
    @Ctx() ctx: SessionContext,
    @Arg('chargerIdentity', { description: "The charger's OCPP identity (as printed on it)." })
    chargerIdentity: string,
    @Arg('evseId', () => Int, {
      nullable: true,
      description: ARG.evseId,
    })
    evseId?: number,
  ): Promise<ChargeReadiness> {
    return readiness(await ctx.chargeGuard.check(chargerIdentity, ctx.viewer.userId!, evseId ?? null, null));
  }

  @Directive('@inaccessible')
  @Query(() => ChargeReadiness, {
    description:
      'For the OCPP bridge: may this token owner charge here; with `reserveFor` (identity|transactionId), an allowed ' +
      'answer reserves the hold.',
  })
  async chargeHold(
    @Ctx() ctx: SessionContext,
    @Arg('identity', { description: ARG.identity }) identity: string,
    @Arg('userId', () => ID, { description: ARG.userId }) userId: string,
    @Arg('evseId', () => Int, {
      nullable: true,
      description: ARG.evseId,
    })
    evseId?: number,
    @Arg('reserveFor', () => String, { nullable: true }) reserveFor?: string,
  ): Promise<ChargeReadiness> {
    requireService(ctx.viewer, 'ocpp-bridge');
    return readiness(await ctx.chargeGuard.check(identity, userId, evseId ?? null, reserveFor ?? null));
  }

  @Directive('@inaccessible')
  @Query(() => [ID], {
    description:
      'For the station subgraph: the drivers who charged at a station since `since`, most recent first (at most 1,000): whose id tokens its chargers’ local lists hold.',
  })
  async stationDrivers(
    @Ctx() ctx: SessionContext,
    @Arg('stationId', () => ID, { description: ARG.stationId }) stationId: string,
    @Arg('since') since: Date,
  ): Promise<string[]> {
    requireService(ctx.viewer, 'station-subgraph');
    if (!isUuid(stationId)) return [];
    const rows = await ctx.em.execute<{ user_id: string }[]>(
      `select user_id from "session"."charging_session"
        where station_id = ? and started_at >= ? and user_id is not null
        group by user_id order by max(started_at) desc limit 1000`,
      [stationId, since],
    );
    return rows.map((r) => r.user_id);
  }
}
