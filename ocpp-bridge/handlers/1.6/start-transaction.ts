import { createRPCError } from 'ocpp-rpc';
import { createHash } from 'node:crypto';
import { jobId } from '../../../lib/queues.js';
import { chargeHoldKey } from '../../../lib/service-clients/session.js';
import { refusalStatus, reservedStatus } from '../../ports.js';
import { reservationAtStart } from '../reservation-check.js';
import type { Handler } from '../context.js';

/**
 * 1.6 §4.8 StartTransaction. The Central System assigns the transactionId. It is derived from the
 * message's content, so that a charge point repeating the same StartTransaction (it SHALL retry
 * transaction messages that were not answered) gets the same id and no second session appears.
 */
export function transactionIdFor(
  identity: string,
  p: { connectorId: number; timestamp: string; meterStart: number; idTag: string },
) {
  const digest = createHash('sha256')
    .update(`${identity}|${p.connectorId}|${p.timestamp}|${p.meterStart}|${p.idTag}`)
    .digest();
  return digest.readUInt32BE(0) & 0x7fffffff || 1;
}

export const startTransaction: Handler = async (ctx, params) => {
  // §6.45: a transaction is on a connector, connectorId > 0 (0 is the charge point itself).
  if (!(params.connectorId > 0))
    throw createRPCError('PropertyConstraintViolation', 'connectorId must be 1 or more for a transaction');
  const transactionId = transactionIdFor(ctx.identity, params);
  const auth = await ctx.idTokens.authorize(params.idTag);
  const { userId } = auth;
  let status: string = auth.status;
  const { reservation, used } = await reservationAtStart(ctx, {
    evseId: params.connectorId,
    idToken: params.idTag,
    userId,
    transactionId: String(transactionId),
    at: params.timestamp,
  });
  if (reservation === 'conflict' && status === 'Accepted') status = reservedStatus('OCPP16');
  // The hold on the driver's escrow is reserved now (one per transaction: a repeat finds it). Refused
  // (no such connector, one already charging, escrow short): not Accepted, and the charge point stops
  // the transaction (StopTransactionOnInvalidId); the session is recorded as the charger reports it.
  if (status === 'Accepted' && userId && ctx.chargeGuard) {
    const answer = await ctx.chargeGuard.check(
      ctx.identity,
      userId,
      params.connectorId,
      chargeHoldKey(ctx.identity, transactionId),
    );
    if (!answer.allowed) status = refusalStatus('OCPP16', answer.reason);
  }
  await ctx.events.enqueueSession([
    {
      id: jobId('tx-start', ctx.identity, transactionId),
      event: {
        kind: 'started',
        identity: ctx.identity,
        transactionId: String(transactionId),
        evseId: params.connectorId,
        connectorId: 1,
        idToken: params.idTag,
        userId,
        authorization: auth.status,
        reservation,
        timestamp: params.timestamp,
        meterStartWh: params.meterStart,
      },
    },
  ]);
  // The reservation is used only by a start the charger is told to go on with.
  if (used && status === 'Accepted') await ctx.events.enqueueStation([used]);
  return { transactionId, idTagInfo: { status } };
};
