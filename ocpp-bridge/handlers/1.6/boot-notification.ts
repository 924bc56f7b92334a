import { jobId } from '../../../lib/queues.js';
import { type Handler, now } from '../context.js';

/**
 * 1.6 §4.2 BootNotification. The Central System SHALL answer with its current time and the heartbeat
 * interval. If the boot cannot be recorded now, the answer is Pending: the charge point then retries
 * the BootNotification after `interval` seconds.
 */
export const bootNotification: Handler = async (ctx, params, messageId) => {
  try {
    await ctx.events.enqueueStation([
      {
        id: jobId('boot', ctx.identity, messageId),
        event: {
          kind: 'boot',
          identity: ctx.identity,
          protocol: 'OCPP16',
          vendor: params.chargePointVendor,
          model: params.chargePointModel,
          serialNumber: params.chargePointSerialNumber ?? params.chargeBoxSerialNumber ?? null,
          firmwareVersion: params.firmwareVersion ?? null,
          at: now(),
        },
      },
    ]);
  } catch {
    return { status: 'Pending', currentTime: now(), interval: 30 };
  }
  return { status: 'Accepted', currentTime: now(), interval: ctx.heartbeatIntervalSeconds };
};
