import { jobId } from '../../lib/queues.js';
import { holdAllows } from '../../lib/reservations.js';
import type { HandlerContext } from './context.js';

/**
 * A transaction starting on an EVSE: is it reserved? For the reserving driver (their token, or
 * another token of theirs) the start uses the reservation (the station subgraph is told); for anyone
 * else it is refused (`conflict`: the charger is told not Accepted, the session gets an anomaly).
 */
export async function reservationAtStart(
  ctx: HandlerContext,
  start: {
    evseId: number | null;
    idToken: string | null;
    userId: string | null;
    transactionId: string;
    at: string;
  },
) {
  if (!start.evseId || !ctx.reservations) return { reservation: null, used: null };
  const hold = await ctx.reservations.at(ctx.identity, start.evseId);
  const verdict = holdAllows(hold, start.idToken, start.userId);
  if (verdict === 'free') return { reservation: null, used: null };
  if (verdict === 'reserved-for-another') return { reservation: 'conflict' as const, used: null };
  return {
    reservation: { id: hold!.id },
    used: {
      id: jobId('reservation-used', ctx.identity, hold!.id),
      event: {
        kind: 'reservation-used' as const,
        identity: ctx.identity,
        reservationId: hold!.id,
        transactionId: start.transactionId,
        at: start.at,
      },
    },
  };
}
