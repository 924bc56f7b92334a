import { normalizeStatus } from '../../status.js';
import type { Handler } from '../context.js';

/** 2.0.1 G01 StatusNotification: one connector of one EVSE. */
export const statusNotification: Handler = async (ctx, params, messageId) => {
  await ctx.events.reportStatus(ctx.identity, messageId, {
    evseId: params.evseId,
    connectorId: params.connectorId,
    status: normalizeStatus(params.connectorStatus),
    errorCode: null,
    at: params.timestamp,
  });
  return {};
};
