import { jobId } from '../../../lib/queues.js';
import { type Handler, now } from '../context.js';

/** 1.6 §4.5 FirmwareStatusNotification, recorded by the station subgraph. */
export const firmwareStatusNotification: Handler = async (ctx, params, messageId) => {
  await ctx.events.enqueueStation([
    {
      id: jobId('fw', ctx.identity, messageId),
      event: { kind: 'firmware', identity: ctx.identity, status: params.status, at: now() },
    },
  ]);
  return {};
};
