import { jobId } from '../../../lib/queues.js';
import { readMeterValue } from '../../meter.js';
import type { Handler } from '../context.js';

/** 1.6 §4.7 MeterValues. Samples of a transaction are stored with it; others only show liveness. */
export const meterValues: Handler = async (ctx, params) => {
  if (params.transactionId == null) return {};
  const transactionId = String(params.transactionId);
  await ctx.events.enqueueSession(
    params.meterValue.map(readMeterValue).map((r: ReturnType<typeof readMeterValue>) => ({
      id: jobId('mv', ctx.identity, transactionId, r.timestamp),
      event: { kind: 'meter' as const, identity: ctx.identity, transactionId, ...r },
    })),
  );
  return {};
};
