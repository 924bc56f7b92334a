import type { SessionEvent } from '../../../lib/queues.js';
import { jobId } from '../../../lib/queues.js';
import { firstEnergy, lastEnergy, readMeterValue } from '../../meter.js';
import type { Handler } from '../context.js';

/**
 * 2.0.1 E01–E15 TransactionEvent (Started / Updated / Ended). The charging station assigns the
 * transactionId and numbers the messages of a transaction (seqNo), which makes the job ids. The
 * message is acknowledged only once its jobs are durably enqueued (E13: the station SHALL retry
 * transaction-related messages until they are answered).
 */
export const transactionEvent: Handler = async (ctx, params) => {
  const transactionId: string = params.transactionInfo.transactionId;
  const readings = (params.meterValue ?? []).map(readMeterValue);
  const idToken: string | null = params.idToken?.idToken ?? null;
  const auth = idToken ? await ctx.idTokens.authorize(idToken) : null;
  const base = { identity: ctx.identity, transactionId };
  const jobs: { id: string; event: SessionEvent }[] = [];
  if (params.eventType === 'Started') {
    jobs.push({
      id: jobId('tx', ctx.identity, transactionId, 'started'),
      event: {
        kind: 'started',
        ...base,
        evseId: params.evse?.id ?? 1,
        connectorId: params.evse?.connectorId ?? 1,
        idToken,
        userId: auth?.userId ?? null,
        timestamp: params.timestamp,
        meterStartWh: firstEnergy(readings) ?? 0,
      },
    });
  }
  for (const r of readings) {
    jobs.push({
      id: jobId('mv', ctx.identity, transactionId, r.timestamp),
      event: { kind: 'meter', ...base, ...r },
    });
  }
  if (params.eventType === 'Ended') {
    jobs.push({
      id: jobId('tx', ctx.identity, transactionId, 'ended'),
      event: {
        kind: 'ended',
        ...base,
        timestamp: params.timestamp,
        meterStopWh: lastEnergy(readings),
        reason: params.transactionInfo.stoppedReason ?? 'Local',
      },
    });
  }
  await ctx.events.enqueueSession(jobs);
  return auth ? { idTokenInfo: { status: auth.status } } : {};
};
