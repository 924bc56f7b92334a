import { jobId } from '../../../lib/queues.js';
import { readMeterValues } from '../../meter.js';
import type { Handler } from '../context.js';

/**
 * 1.6 §4.10 StopTransaction. Acknowledged only once the stop is durably enqueued (otherwise the charge
 * point is told to retry), with its transactionData samples inside it: stored with the stop, before
 * it is priced.
 */
export const stopTransaction: Handler = async (ctx, params) => {
  const transactionId = String(params.transactionId);
  const samples = readMeterValues(params.transactionData ?? [], ctx.logger, {
    identity: ctx.identity,
    transactionId,
  });
  await ctx.events.enqueueSession([
    {
      id: jobId('tx-stop', ctx.identity, transactionId),
      event: {
        kind: 'ended',
        identity: ctx.identity,
        transactionId,
        timestamp: params.timestamp,
        meterStopWh: params.meterStop,
        reason: params.reason ?? 'Local',
        samples,
      },
    },
  ]);
  if (!params.idTag) return {};
  const { status } = await ctx.idTokens
    .authorize(params.idTag)
    .catch(() => ({ status: 'Accepted' as const }));
  return { idTagInfo: { status } };
};
