import { AbiCoder, keccak256 } from 'ethers';

export { SETTLEMENT_QUEUE } from './queues.js';

/** What the settlement worker needs to pay one session. */
export interface SettleSessionJob {
  sessionId: string;
  recordId: string;
  payer: string;
  payee: string;
  /** Token base units (6 decimals: the session cost in micro-units). */
  amount: string;
  recordHash: string;
  /** When the session stopped (ISO 8601), for the settlement-lag metric. */
  stoppedAt?: string;
  /** The gateway request that caused the job, when one did (see `traced`). */
  requestId?: string;
}

/** The fields of a settled session that its on-chain record hash covers, in this order. */
export interface CanonicalRecord {
  sessionId: string;
  recordId: bigint;
  chargerIdentity: string;
  transactionId: string;
  payer: string;
  payee: string;
  amount: bigint;
  currency: string;
  energyWh: bigint;
  startedAt: bigint;
  stoppedAt: bigint;
}

const TYPES = [
  'string',
  'uint256',
  'string',
  'string',
  'address',
  'address',
  'uint256',
  'string',
  'uint256',
  'uint64',
  'uint64',
];

/**
 * keccak256 of the record's canonical encoding (Solidity ABI encoding of the fields above; times in
 * Unix seconds). Anyone holding the off-chain record can recompute it and compare it with the hash in
 * the contract's SessionSettled event.
 */
export function recordHash(r: CanonicalRecord): string {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(TYPES, [
      r.sessionId,
      r.recordId,
      r.chargerIdentity,
      r.transactionId,
      r.payer,
      r.payee,
      r.amount,
      r.currency,
      r.energyWh,
      r.startedAt,
      r.stoppedAt,
    ]),
  );
}
