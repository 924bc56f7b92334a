import { jobId } from '../../../lib/queues.js';
import { normalizeStatus } from '../../status.js';
import type { Handler } from '../context.js';

/** 2.0.1 G01 StatusNotification: one connector of one EVSE. */
export const statusNotification: Handler = async (ctx, params, messageId) => {
  const status = normalizeStatus(params.connectorStatus);
  const { evseId, connectorId, timestamp: at } = params;
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
      event: { kind: 'status', identity: ctx.identity, evseId, connectorId, status, errorCode: null, at },
    },
  ]);
  return {};
};
