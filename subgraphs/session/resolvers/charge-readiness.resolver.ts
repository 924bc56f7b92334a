import { Arg, Authorized, Ctx, Directive, ID, Int, Query, Resolver } from 'type-graphql';
import { requireService } from '../../../lib/subgraph.js';
import type { SessionContext } from '../context.js';
import type { ChargeAnswer } from '../services/charge-guard.js';
import { formatMoney } from '../services/money.js';
import { ChargeReadiness } from './types/settlement.types.js';

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
    @Arg('chargerIdentity') chargerIdentity: string,
    @Arg('evseId', () => Int, { nullable: true }) evseId?: number,
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
    @Arg('identity') identity: string,
    @Arg('userId', () => ID) userId: string,
    @Arg('evseId', () => Int, { nullable: true }) evseId?: number,
    @Arg('reserveFor', () => String, { nullable: true }) reserveFor?: string,
  ): Promise<ChargeReadiness> {
    requireService(ctx.viewer, 'ocpp-bridge');
    return readiness(await ctx.chargeGuard.check(identity, userId, evseId ?? null, reserveFor ?? null));
  }
}
