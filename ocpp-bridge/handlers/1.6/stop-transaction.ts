import { jobId } from '../../../lib/queues.js';
import { readMeterValues, type MeterReading } from '../../meter.js';
import type { Handler } from '../context.js';

/**
 * 1.6 §4.10 StopTransaction. Acknowledged only once the stop (and any transactionData samples) is
 * durably enqueued; otherwise the charge point is told to retry.
 */
export const stopTransaction: Handler = async (ctx, params) => {
  const transactionId = String(params.transactionId);
  const samples = readMeterValues(params.transactionData ?? [], ctx.logger, {
    identity: ctx.identity,
    transactionId,
  });
  await ctx.events.enqueueSession([
    ...samples.map((r: MeterReading) => ({
      id: jobId('mv', ctx.identity, transactionId, r.timestamp),
      event: { kind: 'meter' as const, identity: ctx.identity, transactionId, ...r },
    })),
    {
      id: jobId('tx-stop', ctx.identity, transactionId),
      event: {
        kind: 'ended',
        identity: ctx.identity,
        transactionId,
        timestamp: params.timestamp,
        meterStopWh: params.meterStop,
        reason: params.reason ?? 'Local',
      },
    },
  ]);
  if (!params.idTag) return {};
  const { status } = await ctx.idTokens
    .authorize(params.idTag)
    .catch(() => ({ status: 'Accepted' as const }));
  return { idTagInfo: { status } };
};
