import { jobId } from '../../../lib/queues.js';
import { readMeterValues, type MeterReading } from '../../meter.js';
import type { Handler } from '../context.js';

/**
 * 1.6 §4.7 MeterValues. Samples of a transaction are stored with it (a non-numeric one is rejected,
 * the rest kept: ocpp-bridge/meter.ts); others only show liveness.
 */
export const meterValues: Handler = async (ctx, params) => {
  if (params.transactionId == null) return {};
  const transactionId = String(params.transactionId);
  await ctx.events.enqueueSession(
    readMeterValues(params.meterValue, ctx.logger, { identity: ctx.identity, transactionId }).map(
      (r: MeterReading) => ({
        id: jobId('mv', ctx.identity, transactionId, r.timestamp),
        event: { kind: 'meter' as const, identity: ctx.identity, transactionId, ...r },
      }),
    ),
  );
  return {};
};
