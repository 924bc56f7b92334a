import { Arg, Authorized, Ctx, FieldResolver, ID, Resolver, Root, Subscription } from 'type-graphql';
import { LIVE_TOPIC, type SessionUpdatedLive } from '../../../lib/live-events.js';
import type { SessionContext } from '../context.js';
import { ChargingSession } from '../entities/charging-session.entity.js';
import { formatMoney } from '../services/money.js';

import { SessionUpdateEvent, SessionUpdateKind } from './types/live.types.js';
import { ARG } from '../../../lib/arg-descriptions.js';

const current = (event: SessionUpdateEvent, ctx: SessionContext) =>
  ctx.em.findOne(ChargingSession, { id: event.sessionId });

/** Each event is resolved against the database as it is now, nothing cached from an earlier one. */
function toEvent(e: SessionUpdatedLive, ctx: SessionContext): SessionUpdateEvent {
  ctx.em.clear();
  return { sessionId: e.sessionId, kind: e.kind as SessionUpdateKind, at: new Date(e.at) };
}

/** Live session updates, through the gateway's graphql-ws endpoint. */
@Resolver(() => SessionUpdateEvent)
export class LiveSessionResolver {
  @Authorized()
  @Subscription(() => SessionUpdateEvent, {
    description:
      'Updates of one session (meter values, energy, cost so far, status, settlement): for its driver, its operator, auditors and admins.',
    subscribe: async ({ args, context }) => {
      const ctx = context as SessionContext;
      const session = await ctx.sessions.get((args as { sessionId: string }).sessionId, ctx.viewer);
      return ctx.live.subscribe<SessionUpdatedLive>(
        LIVE_TOPIC.sessionUpdated,
        (e) => e.sessionId === session.id,
      );
    },
  })
  sessionUpdated(
    @Root() event: SessionUpdatedLive,
    @Ctx() ctx: SessionContext,
    @Arg('sessionId', () => ID, { description: ARG.sessionId }) _sessionId: string,
  ): SessionUpdateEvent {
    return toEvent(event, ctx);
  }

  @Authorized()
  @Subscription(() => SessionUpdateEvent, {
    description: 'Updates of every session of the signed-in driver.',
    subscribe: ({ context }) => {
      const ctx = context as SessionContext;
      const userId = ctx.viewer.userId;
      return ctx.live.subscribe<SessionUpdatedLive>(LIVE_TOPIC.sessionUpdated, (e) => e.userId === userId);
    },
  })
  mySessionUpdates(@Root() event: SessionUpdatedLive, @Ctx() ctx: SessionContext): SessionUpdateEvent {
    return toEvent(event, ctx);
  }

  @FieldResolver(() => ChargingSession, { nullable: true, description: 'The session as stored now.' })
  session(@Root() event: SessionUpdateEvent, @Ctx() ctx: SessionContext) {
    return current(event, ctx);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      'Cost so far as a decimal string in the session’s currency: priced as if the session had stopped at its last meter value; the final cost once completed.',
  })
  async costSoFar(@Root() event: SessionUpdateEvent, @Ctx() ctx: SessionContext) {
    const session = await current(event, ctx);
    return session ? formatMoney(await ctx.sessions.costSoFar(session)) : null;
  }
}
