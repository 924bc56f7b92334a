import { Queue } from 'bullmq';
import { AbiCoder, keccak256 } from 'ethers';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { SETTLEMENT_QUEUE } from './queues.js';
import { createRedis } from './redis.js';

// The queue contracts live in lib/queues.ts; re-exported for the code that hashes records.
export { SETTLEMENT_QUEUE, type SettleSessionJob, type SettleTradeJob } from './queues.js';

/**
 * The producer side of SETTLEMENT_QUEUE for the subgraphs that own records (session, energy-trading),
 * watched by their metrics; its connection's outage log reports Redis errors.
 */
export function settlementProducer(config: Config, logger: Logger, metrics: Metrics): Queue {
  const queue = new Queue(SETTLEMENT_QUEUE, {
    connection: createRedis(config.redisUrl, logger, { purpose: 'settlement producer' }),
    prefix: `${config.redisPrefix}:bull`,
  });
  queue.on('error', () => {});
  metrics.watchQueue(queue);
  return queue;
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

/** The fields of a settled energy trade that its on-chain record hash covers, in this order. */
export interface CanonicalTradeRecord {
  tradeId: string;
  recordId: bigint;
  communityId: string;
  /** The delivery interval's start, Unix seconds. */
  intervalStart: bigint;
  buyer: string;
  seller: string;
  /** Delivered energy, Wh (what is paid for). */
  energyWh: bigint;
  /** Clearing price, token base units per kWh. */
  pricePerKwh: bigint;
  feeBps: number;
  /** A co-owned site's owners and shares (bps), in the order the contract credits them. */
  shares: { owner: string; bps: number }[];
}

/**
 * keccak256 of a trade record's canonical encoding (Solidity ABI encoding of the fields above, the
 * shares as a tuple array). The amounts are not in it: the contract derives them from energy, price
 * and fee (the clearing's rounding), and its TradeSettled event carries them.
 */
export function tradeRecordHash(r: CanonicalTradeRecord): string {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(
      [
        'string',
        'uint256',
        'string',
        'uint64',
        'address',
        'address',
        'uint64',
        'uint64',
        'uint16',
        'tuple(address,uint16)[]',
      ],
      [
        r.tradeId,
        r.recordId,
        r.communityId,
        r.intervalStart,
        r.buyer,
        r.seller,
        r.energyWh,
        r.pricePerKwh,
        r.feeBps,
        r.shares.map((s) => [s.owner, s.bps]),
      ],
    ),
  );
}
