import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { ChargingSession } from '../entities/charging-session.entity.js';
import type { SessionContext } from '../context.js';
import { Charger } from '../entities/charger.reference.js';

@Resolver(() => Charger)
export class ChargerSessionsResolver {
  @FieldResolver(() => ChargingSession, {
    nullable: true,
    description: 'The session in progress, if any — shown to its driver, the operator, auditors and admins.',
  })
  activeSession(@Root() charger: Charger, @Ctx() ctx: SessionContext) {
    return ctx.sessions.activeOnCharger(charger.id, ctx.viewer);
  }
}
