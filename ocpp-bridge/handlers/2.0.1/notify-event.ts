import { jobId } from '../../../lib/queues.js';
import type { Handler } from '../context.js';

/** 2.0.1 N07 NotifyEvent: device-model events (faults, alerts), recorded by the station subgraph. */
export const notifyEvent: Handler = async (ctx, params) => {
  await ctx.events.enqueueStation([
    {
      id: jobId('event', ctx.identity, params.generatedAt, params.seqNo),
      event: {
        kind: 'device-event',
        identity: ctx.identity,
        events: params.eventData,
        at: params.generatedAt,
      },
    },
  ]);
  return {};
};
