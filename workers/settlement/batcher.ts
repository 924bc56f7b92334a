import type { SettlementMetrics } from './metrics.js';
import { UnrecoverableError } from 'bullmq';
import { Contract, JsonRpcProvider, Wallet, type EventLog, type Log, type Signer } from 'ethers';
import { connectChain } from '../../lib/chain/connection.js';
import { SettlementSkipReason, type Deployment } from '../../lib/chain/contracts.js';
import { devWallet, isDevelopmentKey } from '../../lib/chain/hardhat-node.js';
import type { SettlerLease } from '../../lib/chain/settler-lease.js';
import { TxSender } from '../../lib/chain/tx-sender.js';
import { type Config } from '../../lib/config.js';
import { type Logger } from '../../lib/logger.js';
import { type SettleSessionJob } from '../../lib/queues.js';

export type Outcome =
  | { status: 'CONFIRMED'; txHash: string; blockNumber: number; fee: string }
  | { status: 'FAILED'; failureReason: string };

/** Why the contract skipped a record (its SettlementSkipped event), for the session's failureReason. */
const SKIP_REASONS: Record<number, string> = {
  [SettlementSkipReason.OverAuthorization]: 'The payer has not authorized this much for charging',
  [SettlementSkipReason.InsufficientEscrow]: 'The payer’s escrow is too small',
  [SettlementSkipReason.Invalid]: 'Invalid record (zero amount or address)',
};

/** Blocks per log query when looking for a record's event (hosted Polygon RPCs allow a few thousand). */
export const LOG_PAGE_BLOCKS = 1000;

interface Pending {
  job: SettleSessionJob;
  resolve: (o: Outcome) => void;
  reject: (e: unknown) => void;
}

/**
 * Pays sessions on chain in batches. Jobs wait (up to the batch size or the batch window) and go out
 * together in one `settleBatch`. Exactly once: before sending, the chain is asked which records are
 * already settled (a crash may have come after a send); those are confirmed from their event instead.
 * A record the contract refuses (authorization, escrow) is FAILED with the reason, not retried; a
 * transaction that fails as a whole is retried by BullMQ. Transactions go out through a
 * {@link TxSender}: stuck ones are replaced with higher fees, and a nonce taken by a transaction that
 * is not ours fails the batch (retried, and checked against the chain first).
 */
export class SettlementBatcher {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> = Promise.resolve();
  private chain: Promise<{
    payments: Contract;
    deployment: Deployment;
    sender: TxSender;
    provider: JsonRpcProvider;
    wallet: Signer;
  }> | null = null;

  constructor(
    private readonly config: Config,
    private readonly logger: Logger,
    private readonly metrics?: SettlementMetrics,
    /** The lease that makes this the only process sending for the settler's address (one per key). */
    private readonly leaseFor?: (settler: string) => SettlerLease,
  ) {}

  private lease: SettlerLease | undefined;

  /** Gives up the settler lease (shutdown). */
  async close(): Promise<void> {
    await this.lease?.release();
  }

  /** The settler's account, once connected (for the balance gauge). */
  async settlerBalance(): Promise<bigint | null> {
    if (!this.chain) return null;
    const { wallet, provider } = await this.chain;
    return provider.getBalance(await wallet.getAddress());
  }

  private connect() {
    this.chain ??= (async () => {
      const { deployment, provider, payments } = await connectChain({
        rpcUrl: this.config.chain.rpcUrl,
        network: this.config.settlement.network,
      });
      const key = this.config.settlement.settlerKey;
      if (!key && this.config.env === 'production')
        throw new UnrecoverableError('SETTLER_PRIVATE_KEY must be set');
      // The development mnemonic's accounts are public: in production they would settle for anyone.
      if (key && this.config.env === 'production' && isDevelopmentKey(key))
        throw new UnrecoverableError('SETTLER_PRIVATE_KEY is a published development account');
      const wallet = key ? new Wallet(key, provider) : devWallet(1, provider);
      this.lease = this.leaseFor?.((await wallet.getAddress()).toLowerCase());
      const lease = this.lease;
      const sender = new TxSender(wallet, provider, {
        beforeBroadcast: lease ? () => lease.check() : undefined,
        timeoutMs: this.config.settlement.txTimeoutMs,
        maxFeeGwei: this.config.settlement.maxFeeGwei,
        confirmations: this.config.settlement.confirmations,
        logger: this.logger,
        onReplaced: () => this.metrics?.replaced.inc(),
      });
      return { payments, deployment, sender, provider, wallet };
    })().catch((err) => {
      this.chain = null;
      throw err;
    });
    return this.chain;
  }

  submit(job: SettleSessionJob): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      this.pending.push({ job, resolve, reject });
      if (this.pending.length >= this.config.settlement.batchSize) void this.flush();
      else this.timer ??= setTimeout(() => void this.flush(), this.config.settlement.batchWindowMs);
    });
  }

  /** Batches go out one after another: one settler account, one nonce sequence, no races. */
  private flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.sending = this.sending.then(() => this.flushOnce());
    return this.sending;
  }

  private async flushOnce(): Promise<void> {
    const batch = this.pending.splice(0, this.config.settlement.batchSize);
    if (batch.length === 0) return;
    if (this.pending.length) this.timer ??= setTimeout(() => void this.flush(), 0);
    try {
      const outcomes = await this.settle(batch.map((p) => p.job));
      batch.forEach((p, i) => p.resolve(outcomes[i]!));
    } catch (err) {
      this.logger.warn({ err, records: batch.length }, 'settlement batch failed; its jobs will be retried');
      batch.forEach((p) => p.reject(err));
    }
  }

  private async settle(jobs: SettleSessionJob[]): Promise<Outcome[]> {
    const { payments, sender } = await this.connect();
    // One sender per settler key: a second worker waits here until the first stops or dies.
    await this.lease?.acquire();
    const outcomes = new Map<string, Outcome>();
    // Exactly once: whatever the chain already has is confirmed from its event, not sent again.
    const settled = await Promise.all(
      jobs.map((j) => payments.isSettled(BigInt(j.recordId)) as Promise<boolean>),
    );
    for (const [i, j] of jobs.entries())
      if (settled[i]) outcomes.set(j.recordId, await this.confirmedFromEvent(j));
    const toSend = jobs.filter((j) => !outcomes.has(j.recordId));
    if (toSend.length) {
      const records = toSend.map((j) => ({
        recordId: BigInt(j.recordId),
        payer: j.payer,
        payee: j.payee,
        amount: BigInt(j.amount),
        recordHash: j.recordHash,
      }));
      const receipt = await sender.send(
        await payments.getFunction('settleBatch').populateTransaction(records),
      );
      this.metrics?.batches.inc();
      this.metrics?.gas.inc(Number(receipt.gasUsed));
      for (const log of receipt.logs as Log[]) {
        const event = payments.interface.parseLog(log);
        if (!event) continue;
        const recordId = String(event.args[0]);
        if (event.name === 'SessionSettled') {
          outcomes.set(recordId, {
            status: 'CONFIRMED',
            txHash: receipt.hash,
            blockNumber: receipt.blockNumber,
            fee: String(event.args[4]),
          });
        } else if (event.name === 'SettlementSkipped') {
          const reason = Number(event.args[1]);
          outcomes.set(
            recordId,
            reason === 1
              ? await this.confirmedFromEvent(jobs.find((j) => j.recordId === recordId)!)
              : { status: 'FAILED', failureReason: SKIP_REASONS[reason] ?? `skipped (${reason})` },
          );
        }
      }
    }
    return jobs.map(
      (j) => outcomes.get(j.recordId) ?? { status: 'FAILED', failureReason: 'No outcome in the receipt' },
    );
  }

  /**
   * The outcome of a record the chain says is settled already, from its SessionSettled event: found
   * newest first, in pages of LOG_PAGE_BLOCKS from the chain's head down to the deployment's block
   * (hosted RPCs refuse unbounded log ranges), as deep as CHAIN_CONFIRMATIONS asks of any
   * settlement, and compared with the job. An event whose payer,
   * payee, amount or record hash differs from the job is not this session's payment: the record is
   * FAILED with the difference, and an error is logged for the operators (never CONFIRMED).
   */
  private async confirmedFromEvent(job: SettleSessionJob): Promise<Outcome> {
    const { payments, provider, deployment } = await this.connect();
    const filter = payments.filters.SessionSettled!(BigInt(job.recordId));
    const head = await provider.getBlockNumber();
    let event: EventLog | undefined;
    for (let to = head; to >= deployment.blockNumber && !event; to -= LOG_PAGE_BLOCKS) {
      const from = Math.max(deployment.blockNumber, to - LOG_PAGE_BLOCKS + 1);
      [event] = (await payments.queryFilter(filter, from, to)) as EventLog[];
    }
    if (!event) throw new Error(`record ${job.recordId} is settled but its event was not found`);
    // As deep as a transaction sent here must be before it is CONFIRMED (else: retried later).
    const depth = head - event.blockNumber + 1;
    if (depth < this.config.settlement.confirmations)
      throw new Error(
        `record ${job.recordId}'s settlement has ${depth} of ${this.config.settlement.confirmations} confirmations; retried later`,
      );
    const [, payer, payee, amount, fee, recordHash] = event.args as unknown as [
      bigint,
      string,
      string,
      bigint,
      bigint,
      string,
    ];
    const differences = [
      payer.toLowerCase() !== job.payer.toLowerCase() && `payer ${payer} ≠ ${job.payer}`,
      payee.toLowerCase() !== job.payee.toLowerCase() && `payee ${payee} ≠ ${job.payee}`,
      amount !== BigInt(job.amount) && `amount ${amount} ≠ ${job.amount}`,
      recordHash.toLowerCase() !== job.recordHash.toLowerCase() &&
        `record hash ${recordHash} ≠ ${job.recordHash}`,
    ].filter(Boolean);
    if (differences.length) {
      this.logger.error(
        { recordId: job.recordId, sessionId: job.sessionId, txHash: event.transactionHash, differences },
        'ALERT: the chain settled this record id with other terms than the session’s',
      );
      return {
        status: 'FAILED',
        failureReason: `Record ${job.recordId} was settled on chain with other terms (${differences.join('; ')}) in ${event.transactionHash}`,
      };
    }
    return {
      status: 'CONFIRMED',
      txHash: event.transactionHash,
      blockNumber: event.blockNumber,
      fee: String(fee),
    };
  }
}
