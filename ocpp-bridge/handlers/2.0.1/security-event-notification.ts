import { jobId } from '../../../lib/queues.js';
import type { Handler } from '../context.js';

/** 2.0.1 A04 SecurityEventNotification: stored by the station subgraph as an alert for the operator. */
export const securityEventNotification: Handler = async (ctx, params, messageId) => {
  await ctx.events.enqueueStation([
    {
      id: jobId('security', ctx.identity, messageId),
      event: {
        kind: 'security-event',
        identity: ctx.identity,
        type: params.type,
        techInfo: params.techInfo ?? null,
        at: params.timestamp,
      },
    },
  ]);
  return {};
};
