import { jobId } from '../../../lib/queues.js';
import { type Handler, now } from '../context.js';

/** 2.0.1 H05 ReservationStatusUpdate: the station let a reservation expire or removed it. */
export const reservationStatusUpdate: Handler = async (ctx, params, messageId) => {
  await ctx.events.enqueueStation([
    {
      id: jobId('reservation-status', ctx.identity, messageId),
      event: {
        kind: 'reservation-status',
        identity: ctx.identity,
        ocppId: params.reservationId,
        status: params.reservationUpdateStatus,
        at: now(),
      },
    },
  ]);
  return {};
};
