import { jobId } from '../../../lib/queues.js';
import { type Handler, now } from '../context.js';

/**
 * 2.0.1 B01 BootNotification. If the boot cannot be recorded now the answer is Pending (B02): the
 * charging station retries after `interval`.
 */
export const bootNotification: Handler = async (ctx, params, messageId) => {
  const station = params.chargingStation;
  try {
    await ctx.events.enqueueStation([
      {
        id: jobId('boot', ctx.identity, messageId),
        event: {
          kind: 'boot',
          identity: ctx.identity,
          protocol: 'OCPP201',
          vendor: station.vendorName,
          model: station.model,
          serialNumber: station.serialNumber ?? null,
          firmwareVersion: station.firmwareVersion ?? null,
          at: now(),
        },
      },
    ]);
  } catch {
    return { status: 'Pending', currentTime: now(), interval: 30 };
  }
  return { status: 'Accepted', currentTime: now(), interval: ctx.heartbeatIntervalSeconds };
};
