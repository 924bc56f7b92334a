import type { SessionEvent } from '../../../lib/queues.js';
import { jobId } from '../../../lib/queues.js';
import { firstEnergy, lastEnergy, readMeterValues } from '../../meter.js';
import { chargeHoldKey } from '../../../lib/service-clients/session.js';
import type { Handler } from '../context.js';

/**
 * 2.0.1 E01–E15 TransactionEvent (Started / Updated / Ended). The charging station assigns the
 * transactionId and numbers the messages of a transaction (seqNo), which makes the job ids. The
 * message is acknowledged only once its jobs are durably enqueued (E13: the station SHALL retry
 * transaction-related messages until they are answered).
 */
export const transactionEvent: Handler = async (ctx, params) => {
  const transactionId: string = params.transactionInfo.transactionId;
  const readings = readMeterValues(params.meterValue ?? [], ctx.logger, {
    identity: ctx.identity,
    transactionId,
  });
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
  if (!auth) return {};
  // At the start, the hold on the driver's escrow is reserved (one per transaction: a repeat finds
  // it); refused: NoCredit, and the station ends the transaction (E05: not authorized).
  if (params.eventType === 'Started' && auth.status === 'Accepted' && auth.userId && ctx.chargeGuard) {
    const answer = await ctx.chargeGuard.check(
      ctx.identity,
      auth.userId,
      params.evse?.id ?? null,
      chargeHoldKey(ctx.identity, transactionId),
    );
    if (!answer.allowed) return { idTokenInfo: { status: 'NoCredit' } };
  }
  return { idTokenInfo: { status: auth.status } };
};
