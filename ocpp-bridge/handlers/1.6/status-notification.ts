import { jobId } from '../../../lib/queues.js';
import { normalizeStatus } from '../../status.js';
import { type Handler, now } from '../context.js';

/**
 * 1.6 §4.9 StatusNotification. connectorId 0 is the charge point itself; connector N is stored as
 * EVSE N, connector 1. Live subscribers get it at once; the durable job carries it to the station.
 */
export const statusNotification: Handler = async (ctx, params, messageId) => {
  const at = params.timestamp ?? now();
  const evseId: number = params.connectorId;
  const connectorId = evseId === 0 ? 0 : 1;
  const status = normalizeStatus(params.status);
  ctx.events.publishStatus({
    identity: ctx.identity,
    evseId,
    connectorId,
    status,
    at,
    receivedAt: Date.now(),
  });
  await ctx.events.enqueueStation([
    {
      id: jobId('status', ctx.identity, messageId),
      event: {
        kind: 'status',
        identity: ctx.identity,
        evseId,
        connectorId,
        status,
        errorCode: params.errorCode === 'NoError' ? null : (params.errorCode ?? null),
        at,
      },
    },
  ]);
  return {};
};
