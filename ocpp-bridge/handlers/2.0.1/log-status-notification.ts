import { jobId } from '../../../lib/queues.js';
import { type Handler, now } from '../context.js';

/** 2.0.1 N01 LogStatusNotification: the progress of a log upload (GetLog), kept as the charger's diagnostics status. */
export const logStatusNotification: Handler = async (ctx, params, messageId) => {
  await ctx.events.enqueueStation([
    {
      id: jobId('log', ctx.identity, messageId),
      event: { kind: 'diagnostics', identity: ctx.identity, status: params.status, at: now() },
    },
  ]);
  return {};
};
