import type { SessionEvent } from '../../../lib/queues.js';
import { jobId } from '../../../lib/queues.js';
import { firstEnergy, lastEnergy, readMeterValues } from '../../meter.js';
import { chargeHoldKey } from '../../../lib/service-clients/session.js';
import { refusalStatus, reservedStatus } from '../../ports.js';
import { reservationAtStart } from '../reservation-check.js';
import type { Handler } from '../context.js';

/**
 * 2.0.1 E01–E15 TransactionEvent (Started / Updated / Ended). The charging station assigns the
 * transactionId and numbers the messages of a transaction (seqNo), which makes the job ids. The
 * message is acknowledged only once its jobs are durably enqueued (E13: the station SHALL retry
 * transaction-related messages until they are answered).
 *
 * A CSMS may see any event of a transaction first (a lost or late Started): an Updated or Ended of a
 * transaction this connection has not forwarded a start for opens it (an `inferred` start, with what
 * that event tells), and so does one that says something the start did not — the EVSE (a Started
 * without `evse`; "the EVSE SHALL be given in the first event after it is known") or the id token (a
 * transaction authorised after it began). The session subgraph merges starts, so either order ends
 * in one session.
 */
export const transactionEvent: Handler = async (ctx, params) => {
  const transactionId: string = params.transactionInfo.transactionId;
  const readings = readMeterValues(params.meterValue ?? [], ctx.logger, {
    identity: ctx.identity,
    transactionId,
  });
  const idToken: string | null = params.idToken?.idToken ?? null;
  const evseId: number | null = params.evse?.id ?? null;
  const auth = idToken ? await ctx.idTokens.authorize(idToken) : null;
  let told: string | null = auth?.status ?? null;
  // A reservation is looked at where a start becomes known with its EVSE.
  const { reservation, used } =
    params.eventType === 'Started' || !ctx.openTransactions.has(transactionId)
      ? await reservationAtStart(ctx, {
          evseId,
          idToken,
          userId: auth?.userId ?? null,
          transactionId,
          at: params.timestamp,
        })
      : { reservation: null, used: null };
  if (reservation === 'conflict' && told === 'Accepted') told = reservedStatus('OCPP201');
  // A start, or a token given after it, reserves the hold on the driver's escrow (one per
  // transaction: a repeat finds it); refused: the station ends the transaction (E05: not authorized).
  if (
    told === 'Accepted' &&
    auth?.status === 'Accepted' &&
    auth.userId &&
    ctx.chargeGuard &&
    (params.eventType === 'Started' || params.eventType === 'Updated')
  ) {
    const answer = await ctx.chargeGuard.check(
      ctx.identity,
      auth.userId,
      evseId,
      chargeHoldKey(ctx.identity, transactionId),
    );
    if (!answer.allowed) told = refusalStatus('OCPP201', answer.reason);
  }

  const base = { identity: ctx.identity, transactionId };
  const start = {
    kind: 'started' as const,
    ...base,
    evseId,
    connectorId: params.evse?.connectorId ?? (evseId ? 1 : null),
    idToken,
    userId: auth?.userId ?? null,
    authorization: auth?.status ?? null,
    reservation,
    timestamp: params.timestamp,
    meterStartWh: firstEnergy(readings),
  };
  const jobs: { id: string; event: SessionEvent }[] = [];
  const known = ctx.openTransactions.get(transactionId);
  if (params.eventType === 'Started') {
    jobs.push({ id: jobId('tx', ctx.identity, transactionId, 'started'), event: start });
  } else if (!known || (evseId && !known.evse) || (idToken && !known.token)) {
    jobs.push({
      id: jobId('tx', ctx.identity, transactionId, 'opened', params.seqNo),
      event: { ...start, inferred: true },
    });
  }
  // An Ended's readings travel inside it (stored with the stop, before it is priced).
  if (params.eventType !== 'Ended')
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
        samples: readings,
      },
    });
  }
  await ctx.events.enqueueSession(jobs);
  // The reservation is used only by a start the station is told to go on with.
  if (used && told === 'Accepted') await ctx.events.enqueueStation([used]);
  if (params.eventType === 'Ended') ctx.openTransactions.delete(transactionId);
  else
    ctx.openTransactions.set(transactionId, {
      evse: Boolean(evseId) || Boolean(known?.evse),
      token: Boolean(idToken) || Boolean(known?.token),
    });
  return told ? { idTokenInfo: { status: told } } : {};
};
