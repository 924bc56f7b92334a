import { Arg, Authorized, Ctx, Field, ID, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { badInput } from '../../../lib/errors.js';
import { Connection, decodeCursor, pageSize, toConnection } from '../../../lib/pagination.js';
import type { StationContext } from '../context.js';
import { ARG } from '../../../lib/arg-descriptions.js';

@ObjectType({ description: 'One OCPP frame as it went over the charger’s WebSocket.' })
export class OcppMessage {
  @Field({ description: 'When the bridge received (IN) or sent (OUT) it.' })
  at!: Date;

  @Field({ description: 'IN: from the charger; OUT: to the charger.' })
  direction!: string;

  @Field({ description: 'CALL, CALLRESULT, CALLERROR, or INVALID (not an OCPP-J frame).' })
  messageType!: string;

  @Field(() => String, {
    nullable: true,
    description: 'The OCPP message id; null for a frame too malformed to have one.',
  })
  messageId!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The action: a CALL’s own, a reply’s from the call it answers.',
  })
  action!: string | null;

  @Field({ description: 'The frame as sent (OCPP-J JSON).' })
  frame!: string;

  seq!: string;
}

@ObjectType({ description: "A page of a charger's OCPP message log (Relay-style)." })
export class OcppMessageConnection extends Connection(OcppMessage) {}

/** The longest window one query may read. */
const MAX_WINDOW_DAYS = 31;

@Resolver()
export class MessageLogResolver {
  @Authorized()
  @Query(() => OcppMessageConnection, {
    description:
      'The OCPP message log of one charger: every frame in and out in [from, to), oldest first, optionally of one action (calls and their replies). Kept OCPP_MESSAGE_LOG_RETENTION_DAYS (7 by default); a charger’s frames beyond 120 a minute are not kept. For the station’s operator and admins.',
  })
  async chargerMessages(
    @Arg('chargerId', () => ID, { description: ARG.chargerId }) chargerId: string,
    @Arg('from', { description: ARG.from }) from: Date,
    @Arg('to', { description: ARG.to }) to: Date,
    @Ctx() ctx: StationContext,
    @Arg('action', () => String, {
      nullable: true,
      description: 'Only messages of this OCPP action (e.g. StatusNotification); none: all actions.',
    })
    action?: string | null,
    @Arg('first', () => Int, { nullable: true, description: ARG.first })
    first?: number,
    @Arg('after', () => String, {
      nullable: true,
      description: ARG.after,
    })
    after?: string,
  ) {
    const limit = pageSize(first);
    if (!(from < to)) throw badInput('from must be before to', 'from');
    if (to.getTime() - from.getTime() > MAX_WINDOW_DAYS * 86_400_000)
      throw badInput(`A window of at most ${MAX_WINDOW_DAYS} days`, 'to');
    const charger = await ctx.stations.ownedCharger(chargerId);
    const key = decodeCursor(after, 2) as [string, string] | null;
    const params: unknown[] = [charger.identity, from, to];
    let where = 'charger_identity = ? and at >= ? and at < ?';
    if (action) {
      where += ' and action = ?';
      params.push(action);
    }
    if (key) {
      where += ' and (at, seq) > (?::timestamptz, ?::bigint)';
      params.push(key[0], key[1]);
    }
    const rows = await ctx.em.execute<
      {
        seq: string;
        at: Date;
        direction: string;
        message_type: string;
        message_id: string | null;
        action: string | null;
        frame: string;
      }[]
    >(
      `select seq, at, direction, message_type, message_id, action, frame from "station"."ocpp_message"
        where ${where} order by at, seq limit ?`,
      [...params, limit + 1],
    );
    const messages = rows.map((r): OcppMessage => ({
      seq: String(r.seq),
      at: new Date(r.at),
      direction: r.direction,
      messageType: r.message_type,
      messageId: r.message_id,
      action: r.action,
      frame: r.frame,
    }));
    return toConnection(messages, limit, (m) => [m.at.toISOString(), m.seq]);
  }
}
