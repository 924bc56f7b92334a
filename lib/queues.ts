/**
 * Queue names and job payloads that travel from the OCPP bridge to the services that own the data.
 * Producers and consumers import them from here and nowhere else.
 *
 * Job ids are deterministic, so a message a charger repeats (or the bridge retries) is enqueued once
 * while its id is retained (see `JOB_RETENTION`); consumers are idempotent and order-tolerant anyway.
 * BullMQ ids may not contain ':'; OCPP identities cannot contain '|'.
 */
import type { JobsOptions } from 'bullmq';
import { currentRequestId } from './logger.js';

export const QUEUE = {
  /** Boot, status, firmware, diagnostics and device events: consumed by the station subgraph. */
  stationEvents: 'station-events',
  /** Transactions and meter values: consumed by the session subgraph. */
  sessionEvents: 'session-events',
} as const;

export type OcppProtocol = 'OCPP16' | 'OCPP201';

/** Status names as the station subgraph stores them (OCPP 1.6 and 2.0.1 merged). */
export type NormalizedStatus =
  | 'AVAILABLE'
  | 'PREPARING'
  | 'CHARGING'
  | 'SUSPENDED_EV'
  | 'SUSPENDED_EVSE'
  | 'FINISHING'
  | 'OCCUPIED'
  | 'RESERVED'
  | 'UNAVAILABLE'
  | 'FAULTED';

export type StationEvent =
  | {
      kind: 'boot';
      identity: string;
      protocol: OcppProtocol;
      vendor: string;
      model: string;
      serialNumber: string | null;
      firmwareVersion: string | null;
      at: string;
    }
  | {
      kind: 'status';
      identity: string;
      /** 0 means the charger as a whole. */
      evseId: number;
      connectorId: number;
      status: NormalizedStatus;
      errorCode: string | null;
      /** The charger's timestamp of the status (or the bridge's receive time when it sent none). */
      at: string;
    }
  | { kind: 'firmware' | 'diagnostics'; identity: string; status: string; at: string }
  | { kind: 'device-event'; identity: string; events: unknown[]; at: string }
  | {
      /** A transaction started on a reserved EVSE by its driver (the reservation is used). */
      kind: 'reservation-used';
      identity: string;
      reservationId: string;
      transactionId: string;
      at: string;
    }
  | {
      /** 2.0.1 ReservationStatusUpdate: the charger let a reservation go (Expired) or dropped it (Removed). */
      kind: 'reservation-status';
      identity: string;
      ocppId: number;
      status: 'Expired' | 'Removed';
      at: string;
    }
  | {
      /** 2.0.1 SecurityEventNotification. */
      kind: 'security-event';
      identity: string;
      type: string;
      techInfo: string | null;
      at: string;
    };

export type SessionEvent =
  | {
      kind: 'started';
      identity: string;
      transactionId: string;
      /** null: the charger has not said (a 2.0.1 Started without `evse`); a later event may. */
      evseId: number | null;
      connectorId: number | null;
      idToken: string | null;
      /** The account of the id token, when it belongs to one. */
      userId: string | null;
      /**
       * The id token's own status when the transaction started (Accepted, Invalid, Blocked, Expired);
       * null without a token. (What the charger was told may differ: a charge-guard refusal.)
       */
      authorization?: string | null;
      timestamp: string;
      /** The energy register at the start; null when the start carried no reading. */
      meterStartWh: number | null;
      /**
       * Opened from a later 2.0.1 TransactionEvent (Updated or Ended) whose Started the bridge has not
       * seen: what that event tells (its time, first reading, EVSE, token). A start finds the session
       * and fills in what it did not know.
       */
      inferred?: boolean;
      /** The reservation this start used (its driver's), or `conflict`: the EVSE was reserved for another. */
      reservation?: { id: string } | 'conflict' | null;
    }
  | {
      kind: 'meter';
      identity: string;
      transactionId: string;
      timestamp: string;
      energyWh: number | null;
      powerW: number | null;
      soc: number | null;
    }
  | {
      kind: 'ended';
      identity: string;
      transactionId: string;
      timestamp: string;
      meterStopWh: number | null;
      reason: string | null;
      /**
       * The readings the stop itself carried (1.6 transactionData, 2.0.1 Ended's meterValue): stored
       * in the stop's own transaction, before it is priced, so that no reading of its last period is
       * missed (as separate jobs, the stop could overtake them).
       */
      samples?: MeterSample[];
    };

/** One meter sample of a transaction (the energy register, power, state of charge), as the bridge read it. */
export interface MeterSample {
  timestamp: string;
  energyWh: number | null;
  powerW: number | null;
  soc: number | null;
}

/**
 * Queue of sessions to pay on chain: session subgraph → settlement worker. Job id = session id (a
 * retry: `jobId(sessionId, 'retry', ms)`). Defined here, not beside the record hashing in
 * lib/settlement.ts, so that processes without a chain (the bridge) do not load ethers.
 */
export const SETTLEMENT_QUEUE = 'settlements';

/** What the settlement worker needs to pay one session (SETTLEMENT_QUEUE, job name `settle-session`). */
export interface SettleSessionJob {
  kind?: 'session';
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

/**
 * What the settlement worker needs to charge one subscription plan fee (SETTLEMENT_QUEUE, job name
 * `settle-plan-fee`, job id = the charge's id): session subgraph → settlement worker. Paid payer →
 * payee like a session, in the contract's plan-fee id space (`settlePlanFees`).
 */
export type SettlePlanFeeJob = Omit<SettleSessionJob, 'kind' | 'sessionId'> & {
  kind: 'planFee';
  /** The charge (one period of one subscription); `amount` is its fee, `stoppedAt` its period's start. */
  chargeId: string;
};

/**
 * What the settlement worker needs to pay one delivered trade (SETTLEMENT_QUEUE, job name
 * `settle-trade`, job id = trade id): energy-trading subgraph → settlement worker. The contract
 * computes the amounts from energy, price and fee (the clearing's rounding), so the job carries none.
 */
export interface SettleTradeJob {
  kind: 'trade';
  tradeId: string;
  recordId: string;
  buyer: string;
  /** The selling member's wallet. */
  seller: string;
  energyWh: number;
  pricePerKwh: number;
  feeBps: number;
  recordHash: string;
  /** A co-owned site's owners' wallets and shares (bps summing to 10,000); empty for one owner. */
  shares: { owner: string; bps: number }[];
  /** When the trade became payable (ISO 8601), for the settlement-lag metric. */
  stoppedAt?: string;
  requestId?: string;
}

/**
 * Anchors the Merkle root of a community interval's meter readings on chain (PaymentLedger
 * `anchorReadings`), queued before the interval's trades so that it goes out before or with them.
 */
export interface AnchorReadingsJob {
  kind: 'anchor';
  communityId: string;
  /** The interval's start, ISO 8601. */
  intervalStart: string;
  root: string;
  leafCount: number;
  requestId?: string;
}

/** Anything the settlement worker sends: records it pays, and reading anchors. */
export type SettlementJob = SettleSessionJob | SettlePlanFeeJob | SettleTradeJob | AnchorReadingsJob;

/**
 * Options of every job on SETTLEMENT_QUEUE: retried with backoff (the worker checks the chain before
 * each send, so a retry never pays twice); completed ids kept a week so a repeated enqueue is a no-op.
 */
export const SETTLE_JOB_OPTIONS: JobsOptions = {
  attempts: 20,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 7 * 24 * 3600 },
  removeOnFail: false,
};

/** A record's settlement status as its owner stores it. */
export type SettlementStatus = 'PENDING' | 'SUBMITTED' | 'CONFIRMED' | 'FAILED';

/**
 * Which stored statuses an outcome may replace: outcomes arrive on a queue, in any order and maybe
 * twice, so an older one (a SUBMITTED after the CONFIRMED) must change nothing. Owners apply an
 * outcome with one conditional UPDATE on this.
 */
export const OUTCOME_REPLACES: Record<'SUBMITTED' | 'CONFIRMED' | 'FAILED', SettlementStatus[]> = {
  SUBMITTED: ['PENDING'],
  CONFIRMED: ['PENDING', 'SUBMITTED', 'FAILED'],
  FAILED: ['PENDING', 'SUBMITTED'],
};

/** Job names on SETTLEMENT_QUEUE. */
export const SETTLE_SESSION = 'settle-session';
export const SETTLE_TRADE = 'settle-trade';
export const SETTLE_PLAN_FEE = 'settle-plan-fee';
export const ANCHOR_READINGS = 'anchor-readings';

/**
 * What became of trade settlements: settlement worker → energy-trading subgraph (job ids are
 * BullMQ's own; applying an outcome twice changes nothing).
 */
export const TRADE_OUTCOMES_QUEUE = 'trade-settlement-outcomes';

/** One trade settlement's progress (TRADE_OUTCOMES_QUEUE). */
export type TradeOutcomeJob = { tradeId: string; requestId?: string } & (
  | { status: 'SUBMITTED' }
  | { status: 'CONFIRMED'; txHash: string; blockNumber: number; fee: string }
  | { status: 'FAILED'; failureReason: string }
);

/** What became of a reading anchor (on TRADE_OUTCOMES_QUEUE, for the energy-trading subgraph). */
export type AnchorOutcomeJob = {
  anchor: { communityId: string; intervalStart: string };
  requestId?: string;
} & (
  | { status: 'SUBMITTED' }
  | { status: 'CONFIRMED'; txHash: string; blockNumber: number }
  | { status: 'FAILED'; failureReason: string }
);

/**
 * What became of settlements: settlement worker → session subgraph, which stores it and publishes the
 * session's update. Ids are BullMQ's own: applying an outcome twice changes nothing.
 */
export const SETTLEMENT_OUTCOMES_QUEUE = 'settlement-outcomes';

/** What became of one record: SUBMITTED, CONFIRMED (where and the platform fee taken) or FAILED (why). */
export type RecordOutcome =
  | { status: 'SUBMITTED' }
  | { status: 'CONFIRMED'; txHash: string; blockNumber: number; fee: string }
  | { status: 'FAILED'; failureReason: string };

/**
 * The SET list and values an outcome writes besides the status, for columns named `<prefix>tx_hash`,
 * `<prefix>block`, `<prefix>fee` and `<prefix>failure_reason`: CONFIRMED writes where and the fee
 * and clears the reason; FAILED writes the reason; SUBMITTED clears it.
 */
export function outcomeColumns(outcome: RecordOutcome, prefix = ''): { set: string; values: unknown[] } {
  if (outcome.status === 'CONFIRMED')
    return {
      set: `${prefix}tx_hash = ?, ${prefix}block = ?, ${prefix}fee = ?, ${prefix}failure_reason = null`,
      values: [outcome.txHash, outcome.blockNumber, outcome.fee],
    };
  return {
    set: `${prefix}failure_reason = ?`,
    values: [outcome.status === 'FAILED' ? outcome.failureReason : null],
  };
}

/** One session settlement's progress (SETTLEMENT_OUTCOMES_QUEUE). */
export type SettlementOutcomeJob = { sessionId: string; requestId?: string } & RecordOutcome;

/** One plan fee's progress (also on SETTLEMENT_OUTCOMES_QUEUE: the session subgraph owns plans). */
export type PlanFeeOutcomeJob = { planChargeId: string; requestId?: string } & RecordOutcome;

/** Completed and failed job ids are kept a day so that a repeated message within it is a no-op. */
/**
 * Community market work, produced and consumed by the energy-trading subgraph's instances: `clear`
 * at an interval's gate closure, `deliver` after its end plus the grace period. Job id
 * `jobId(kind, communityId, intervalStartMs)`, so however many instances schedule an interval it is
 * cleared once (and the clearing itself refuses to run twice: services/market.ts).
 */
export const MARKET_QUEUE = 'market';

export interface MarketJob {
  kind: 'clear' | 'deliver';
  communityId: string;
  /** ms since epoch */
  intervalStart: number;
}

export const JOB_RETENTION: JobsOptions = {
  removeOnComplete: { age: 24 * 3600, count: 200_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
  attempts: 12,
  backoff: { type: 'exponential', delay: 250 },
};

/** Builds a job id from its parts (none may contain '|'; ':' is replaced as BullMQ forbids it). */
export const jobId = (...parts: (string | number)[]) =>
  parts.map((p) => String(p).replaceAll(':', '.')).join('|');

/**
 * How the consumers of each queue hold their jobs. A consumer renews the lock of each job it works on
 * every `lockDurationMs / 2`; when a consumer dies (kill -9, a crash) its locks lapse after
 * `lockDurationMs`, and the next stalled-job check of any live consumer (every `stalledIntervalMs`)
 * puts the job back: interrupted work resumes within about lockDuration + 2 × stalledInterval
 * (< 10 s) rather than BullMQ's default of ~60 s. `maxStalledCount` is the number of such take-overs a
 * job survives before it fails; every consumer here is idempotent, so a few are harmless, and one
 * would be too few for a process that is restarted twice in a row.
 *
 * The cost: each consumer renews locks every 2 s and checks for stalled jobs every 2 s, a few Redis
 * round trips per process, whatever the load. A consumer whose event loop is blocked for more than
 * the lock duration loses its jobs to another (and runs them twice); nothing here blocks that long.
 */
export const CONSUMER_TIMING: Record<
  string,
  { lockDurationMs: number; stalledIntervalMs: number; maxStalledCount: number }
> = {
  /** Station subgraph: each job is one SQL statement (ms); a status stuck for 10 s is visible to operators. */
  [QUEUE.stationEvents]: { lockDurationMs: 4000, stalledIntervalMs: 2000, maxStalledCount: 3 },
  /** Session subgraph: a stopped session must not stay ACTIVE for long after the charger was answered. */
  [QUEUE.sessionEvents]: { lockDurationMs: 4000, stalledIntervalMs: 2000, maxStalledCount: 3 },
  /**
   * Settlement worker: jobs wait for a batch and its transaction (up to SETTLEMENT_TX_TIMEOUT_MS and
   * more), renewing their locks meanwhile; a batch taken over is checked against the chain first
   * (`isSettled`), so a take-over never pays twice.
   */
  [SETTLEMENT_QUEUE]: { lockDurationMs: 4000, stalledIntervalMs: 2000, maxStalledCount: 5 },
  /** Session subgraph: one row update per outcome; a confirmation should show within seconds. */
  [SETTLEMENT_OUTCOMES_QUEUE]: { lockDurationMs: 4000, stalledIntervalMs: 2000, maxStalledCount: 3 },
  /** Energy-trading subgraph: one row update per outcome. */
  [TRADE_OUTCOMES_QUEUE]: { lockDurationMs: 4000, stalledIntervalMs: 2000, maxStalledCount: 3 },
};

/** For a queue not listed above. */
export const DEFAULT_CONSUMER_TIMING = { lockDurationMs: 4000, stalledIntervalMs: 2000, maxStalledCount: 3 };

/**
 * A job's payload with the request id of the work that enqueues it, so that the consumer's log lines
 * carry it too (`startWorker` puts it in the log context).
 */
export function traced<T extends object>(data: T): T & { requestId?: string } {
  const requestId = currentRequestId();
  return requestId ? { ...data, requestId } : data;
}
