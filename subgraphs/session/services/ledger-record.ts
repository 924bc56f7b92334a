import { ledgerHash, unixSeconds, type LedgerDomain, type LedgerMessage } from '../../../lib/ledger.js';
import type { ChargingSession } from '../entities/charging-session.entity.js';

/**
 * A numbered session as the ledger's ChargingSession record (lib/ledger.ts, docs/ledger-format.md):
 * built from the stored row alone, so that the hash sent to the chain at numbering and the record the
 * API shows an auditor later are the same bytes. Amounts are the session's micro-units of its
 * currency, which are the token's base units (the settlement token has 6 decimals).
 */
export function sessionLedgerMessage(
  s: ChargingSession,
  party: { recordId: string; payer: string; payee: string },
): LedgerMessage {
  const lines = s.costBreakdown;
  return {
    recordId: BigInt(party.recordId),
    sessionId: s.id,
    chargerIdentity: s.chargerIdentity,
    evseId: s.evseId,
    transactionId: s.transactionId,
    payer: party.payer,
    payee: party.payee,
    amount: BigInt(s.costMicros ?? 0),
    currency: s.currency,
    tariffId: s.tariffId ?? '',
    energyCost: BigInt(lines?.energyMicros ?? 0),
    timeCost: BigInt(lines?.timeMicros ?? 0),
    idleCost: BigInt(lines?.idleMicros ?? 0),
    sessionFee: BigInt(lines?.sessionFeeMicros ?? 0),
    energyWh: BigInt(s.energyWh),
    meterStartWh: BigInt(s.meterStartWh),
    meterStopWh: BigInt(s.meterStopWh ?? s.meterStartWh + s.energyWh),
    startedAt: unixSeconds(s.startedAt),
    stoppedAt: unixSeconds(s.stoppedAt ?? s.startedAt),
  };
}

/** The record's hash under the deployment's domain: the `recordHash` of its SessionSettled event. */
export const sessionRecordHash = (
  domain: LedgerDomain,
  s: ChargingSession,
  party: { recordId: string; payer: string; payee: string },
) => ledgerHash('ChargingSession', domain, sessionLedgerMessage(s, party));
