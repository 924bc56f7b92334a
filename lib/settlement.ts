import { AbiCoder, keccak256 } from 'ethers';

// The queue contracts live in lib/queues.ts; re-exported for the code that hashes records.
export { SETTLEMENT_QUEUE, type SettleSessionJob } from './queues.js';

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
