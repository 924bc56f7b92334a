import { jobId } from '../../../lib/queues.js';
import { type Handler, now } from '../context.js';

/** 1.6 §4.4 DiagnosticsStatusNotification, recorded by the station subgraph. */
export const diagnosticsStatusNotification: Handler = async (ctx, params, messageId) => {
  await ctx.events.enqueueStation([
    {
      id: jobId('diag', ctx.identity, messageId),
      event: { kind: 'diagnostics', identity: ctx.identity, status: params.status, at: now() },
    },
  ]);
  return {};
};
