import { createRPCError } from 'ocpp-rpc';
import { normalizeStatus } from '../../status.js';
import { type Handler, now } from '../context.js';

/**
 * 1.6 §4.9 StatusNotification. connectorId 0 is the charge point itself; connector N is stored as
 * EVSE N, connector 1. Live subscribers get it at once; the durable job carries it to the station.
 */
export const statusNotification: Handler = async (ctx, params, messageId) => {
  const evseId: number = params.connectorId;
  // §4.9: connectorId is an integer ≥ 0 (0: the charge point itself); the schema does not say so.
  if (evseId < 0) throw createRPCError('PropertyConstraintViolation', 'connectorId must be 0 or more');
  await ctx.events.reportStatus(ctx.identity, messageId, {
    evseId,
    connectorId: evseId === 0 ? 0 : 1,
    status: normalizeStatus(params.status),
    errorCode: params.errorCode === 'NoError' ? null : (params.errorCode ?? null),
    at: params.timestamp ?? now(),
  });
  return {};
};
