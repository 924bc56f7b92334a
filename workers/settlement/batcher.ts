import type { SettlementMetrics } from './metrics.js';
import { UnrecoverableError } from 'bullmq';
import {
  Contract,
  JsonRpcProvider,
  Wallet,
  type ContractEventName,
  type EventLog,
  type Log,
  type Signer,
} from 'ethers';
import { connectChain } from '../../lib/chain/connection.js';
import {
  GAS_BOUND,
  settlementGasBound,
  SettlementSkipReason,
  SKIP_REASON_TEXT,
  type Deployment,
} from '../../lib/chain/contracts.js';
import { devWallet, isDevelopmentKey } from '../../lib/chain/hardhat-node.js';
import type { SettlerLease } from '../../lib/chain/settler-lease.js';
import { finalityOf } from '../../lib/chain/finality.js';
import { RevertedError, TxSender } from '../../lib/chain/tx-sender.js';
import { newestEvent, staticEventReader } from '../../lib/chain/events.js';
import { communityKey } from '../../lib/ledger.js';
import { type Config } from '../../lib/config.js';
import { type Logger } from '../../lib/logger.js';
import {
  type AnchorReadingsJob,
  type SettlePlanFeeJob,
  type SettleSessionJob,
  type SettlementJob,
  type SettleTradeJob,
} from '../../lib/queues.js';

export type Outcome =
  | { status: 'CONFIRMED'; txHash: string; blockNumber: number; fee: string }
  | { status: 'FAILED'; failureReason: string };

/** A record's kind and number: session, plan-fee and trade ids are numbered apart, as the contract keeps them. */
type RecordJob = SettleSessionJob | SettlePlanFeeJob | SettleTradeJob;
type RecordKind = 'session' | 'planFee' | 'trade';
const keyOf = (j: RecordJob) => `${j.kind ?? 'session'}:${j.recordId}`;
const isTrade = (j: SettlementJob): j is SettleTradeJob => j.kind === 'trade';
const isAnchor = (j: SettlementJob): j is AnchorReadingsJob => j.kind === 'anchor';

/** The contract's view of each kind: its batch function, settled check and event. */
const KIND = {
  session: { send: 'settleSessions', code: 0, event: 'SessionSettled', feeArg: 4 },
  trade: { send: 'settleTrades', code: 1, event: 'TradeSettled', feeArg: 6 },
  planFee: { send: 'settlePlanFees', code: 3, event: 'PlanFeeSettled', feeArg: 4 },
} as const;

/** The contract's struct for a job. */
const onChainRecord = (j: RecordJob) =>
  isTrade(j)
    ? {
        recordId: BigInt(j.recordId),
        buyer: j.buyer,
        seller: j.seller,
        energyWh: BigInt(j.energyWh),
        pricePerKwh: BigInt(j.pricePerKwh),
        feeBps: j.feeBps,
        recordHash: j.recordHash,
        shares: j.shares,
      }
    : {
        recordId: BigInt(j.recordId),
        payer: j.payer,
        payee: j.payee,
        amount: BigInt(j.amount),
        recordHash: j.recordHash,
      };

/** Where the event's terms differ from the job's (empty: the event is this record's payment). */
function differencesOf(j: RecordJob, args: readonly unknown[]): string[] {
  const addr = (a: unknown, b: string, name: string) =>
    String(a).toLowerCase() !== b.toLowerCase() && `${name} ${String(a)} ≠ ${b}`;
  const num = (a: unknown, b: string | number, name: string) =>
    BigInt(a as bigint) !== BigInt(b) && `${name} ${String(a)} ≠ ${b}`;
  const list = isTrade(j)
    ? [
        addr(args[1], j.seller, 'seller'),
        addr(args[2], j.buyer, 'buyer'),
        num(args[3], j.energyWh, 'energy'),
        num(args[4], j.pricePerKwh, 'price'),
        addr(args[7], j.recordHash, 'record hash'),
      ]
    : [
        addr(args[1], j.payer, 'payer'),
        addr(args[2], j.payee, 'payee'),
        num(args[3], j.amount, 'amount'),
        addr(args[5], j.recordHash, 'record hash'),
      ];
  return list.filter((d): d is string => typeof d === 'string');
}

interface Pending {
  job: SettlementJob;
  resolve: (o: Outcome) => void;
  reject: (e: unknown) => void;
}

/**
 * Pays records on chain in batches: charging sessions, plan fees and energy trades. Jobs wait (up to
 * the batch size or the batch window) and go out together, one `settleSessions`, `settlePlanFees` and
 * `settleTrades` transaction per batch (for the kinds it holds). Exactly once: before sending, the chain is asked which records are
 * already settled (a crash may have come after a send); those are confirmed from their event instead.
 * A record the contract refuses (authorization, escrow) is FAILED with the reason, not retried; a
 * transaction that fails as a whole is retried by BullMQ. Transactions go out through a
 * {@link TxSender}: stuck ones are replaced with higher fees, and a nonce taken by a transaction that
 * is not ours fails the batch (retried, and checked against the chain first).
 */
export class SettlementBatcher {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Batches in flight, and whether a flush waits for one of them to end. */
  private active = 0;
  private flushWanted = false;
  private chain: Promise<{
    payments: Contract;
    readEvent: ReturnType<typeof staticEventReader>;
    /** The most gas one transaction may ask for: the latest block's gas limit at connection. */
    blockGasLimit: bigint;
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
        finality: this.config.settlement.finality,
        finalityTimeoutMs: this.config.settlement.finalityTimeoutMs,
        pollMs: Math.min(this.config.settlement.pollMs, this.config.settlement.txTimeoutMs),
        logger: this.logger,
        onReplaced: () => this.metrics?.replaced.inc(),
      });
      const readEvent = staticEventReader(payments.interface, deployment.paymentsContract, [
        'SessionSettled',
        'PlanFeeSettled',
        'TradeSettled',
        'SettlementSkipped',
      ]);
      const blockGasLimit = (await provider.getBlock('latest'))?.gasLimit ?? 30_000_000n;
      return { payments, readEvent, blockGasLimit, deployment, sender, provider, wallet };
    })().catch((err) => {
      this.chain = null;
      throw err;
    });
    return this.chain;
  }

  submit(job: SettlementJob): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      this.pending.push({ job, resolve, reject });
      if (this.pending.length >= this.config.settlement.batchSize) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.config.settlement.batchWindowMs);
    });
  }

  /**
   * Up to SETTLEMENT_PIPELINE batches are in flight at once: while one waits for its block, the next
   * is sent with the next nonce (the TxSender numbers them). One settler account, one nonce sequence.
   */
  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.active >= this.config.settlement.pipeline) {
      this.flushWanted = true;
      return;
    }
    this.active++;
    void this.flushOnce().finally(() => {
      this.active--;
      if (this.flushWanted || this.pending.length >= this.config.settlement.batchSize) {
        this.flushWanted = false;
        if (this.pending.length) this.flush();
      } else if (this.pending.length) {
        this.timer ??= setTimeout(() => this.flush(), this.config.settlement.batchWindowMs);
      }
    });
  }

  private async flushOnce(): Promise<void> {
    const batch = this.pending.splice(0, this.config.settlement.batchSize);
    if (batch.length === 0) return;
    if (this.pending.length >= this.config.settlement.batchSize) this.flush();
    try {
      const outcomes = await this.settle(batch.map((p) => p.job));
      batch.forEach((p, i) => p.resolve(outcomes[i]!));
    } catch (err) {
      this.logger.warn({ err, records: batch.length }, 'settlement batch failed; its jobs will be retried');
      batch.forEach((p) => p.reject(err));
    }
  }

  /** Kinds whose batch ran out of gas under the bound: the node's estimate sets their limit from then on. */
  private readonly estimateGas = new Set<RecordKind>();

  private async settle(jobs: SettlementJob[]): Promise<Outcome[]> {
    const { payments, sender, readEvent, blockGasLimit } = await this.connect();
    // One sender per settler key: a second worker waits here until the first stops or dies.
    await this.lease?.acquire();
    // Reading anchors first: they go out before (or with) their interval's trades.
    const anchored = new Map<AnchorReadingsJob, Outcome>();
    for (const a of jobs.filter(isAnchor)) anchored.set(a, await this.anchor(a));
    const outcomes = new Map<string, Outcome>();
    for (const kind of ['session', 'planFee', 'trade'] as const) {
      const ofKind = jobs.filter((j): j is RecordJob => !isAnchor(j) && (j.kind ?? 'session') === kind);
      if (!ofKind.length) continue;
      const k = KIND[kind];
      // Exactly once: whatever the chain already has is confirmed from its event, not sent again (one
      // call for the whole batch).
      const settled = (await payments.getFunction('areSettled')(
        k.code,
        ofKind.map((j) => BigInt(j.recordId)),
      )) as boolean[];
      for (const [i, j] of ofKind.entries())
        if (settled[i]) outcomes.set(keyOf(j), await this.confirmedFromEvent(j));
      const toSend = ofKind.filter((j) => !outcomes.has(keyOf(j)));
      if (!toSend.length) continue;
      const records = toSend.map(onChainRecord);
      // The limit from the contract's gas bound (lib/chain/contracts.ts), not the node's estimate
      // (one round trip that runs the batch several times), unless the bound once fell short.
      // A plan fee costs what a session does (the same loop, another bitmap and event).
      const bound = settlementGasBound(kind === 'trade' ? 'trade' : 'session', records);
      const call = await payments.getFunction(k.send).populateTransaction(records);
      const receipt = await sender
        .send({
          ...call,
          gasLimit: this.estimateGas.has(kind) ? undefined : bound < blockGasLimit ? bound : blockGasLimit,
        })
        .catch((err: unknown) => {
          if (err instanceof RevertedError && err.outOfGas && !this.estimateGas.has(kind)) {
            this.estimateGas.add(kind);
            this.logger.error(
              { kind, records: records.length, gasLimit: String(bound), txHash: err.receipt.hash },
              'ALERT: a settlement batch ran out of gas under the contract’s gas bound; estimating from now on',
            );
          }
          throw err;
        });
      this.metrics?.batches.inc();
      this.metrics?.gas.inc(Number(receipt.gasUsed));
      for (const log of receipt.logs as Log[]) {
        const event = readEvent(log);
        if (!event) continue;
        const key = `${kind}:${String(event.args[0])}`;
        if (event.name === k.event) {
          outcomes.set(key, {
            status: 'CONFIRMED',
            txHash: receipt.hash,
            blockNumber: receipt.blockNumber,
            fee: String(event.args[k.feeArg]),
          });
        } else if (event.name === 'SettlementSkipped') {
          const reason = Number(event.args[1]);
          outcomes.set(
            key,
            reason === SettlementSkipReason.AlreadySettled
              ? await this.confirmedFromEvent(toSend.find((j) => keyOf(j) === key)!)
              : { status: 'FAILED', failureReason: SKIP_REASON_TEXT[reason] ?? `skipped (${reason})` },
          );
        }
      }
    }
    return jobs.map(
      (j) =>
        (isAnchor(j) ? anchored.get(j) : outcomes.get(keyOf(j))) ?? {
          status: 'FAILED',
          failureReason: 'No outcome in the receipt',
        },
    );
  }

  /**
   * Anchors one interval's reading root (PaymentLedger `anchorReadings`). Exactly once: when the chain
   * has this root for the interval already, the outcome comes from its ReadingsAnchored event; another
   * root there is an alert and a FAILED anchor, never overwritten.
   */
  private async anchor(job: AnchorReadingsJob): Promise<Outcome> {
    const { payments, sender } = await this.connect();
    const community = communityKey(job.communityId);
    const at = BigInt(Math.floor(Date.parse(job.intervalStart) / 1000));
    const stored = String(await payments.getFunction('readingsRootOf')(community, at));
    if (stored === job.root) return this.confirmedAnchor(community, at);
    if (BigInt(stored) !== 0n) {
      this.logger.error(
        { communityId: job.communityId, intervalStart: job.intervalStart, onChain: stored, ours: job.root },
        'ALERT: the chain holds another readings root for this interval',
      );
      return { status: 'FAILED', failureReason: `The chain holds another root for this interval: ${stored}` };
    }
    const call = await payments
      .getFunction('anchorReadings')
      .populateTransaction(community, at, job.root, job.leafCount);
    const receipt = await sender.send({ ...call, gasLimit: BigInt(GAS_BOUND.anchor) });
    return { status: 'CONFIRMED', txHash: receipt.hash, blockNumber: receipt.blockNumber, fee: '0' };
  }

  /** The ReadingsAnchored event of an interval anchored before, once final (newest pages first). */
  private async confirmedAnchor(community: string, at: bigint): Promise<Outcome> {
    const { payments } = await this.connect();
    const event = await this.finalEvent(payments.filters.ReadingsAnchored!(community, at), {
      missing: `interval ${community}/${at} is anchored but its event was not found`,
      notFinal: `the anchor of ${community}/${at} is not final`,
    });
    return { status: 'CONFIRMED', txHash: event.transactionHash, blockNumber: event.blockNumber, fee: '0' };
  }

  /**
   * The newest event matching `filter` (lib/chain/events.ts newestEvent, from the deployment's block),
   * once as final as a transaction sent here must be before it counts (CHAIN_FINALITY /
   * CHAIN_CONFIRMATIONS); throws — the job is retried later — when missing or not final yet.
   */
  private async finalEvent(
    filter: ContractEventName,
    say: { missing: string; notFinal: string },
  ): Promise<EventLog> {
    const { payments, provider, deployment } = await this.connect();
    const event = await newestEvent(payments, filter, deployment.blockNumber);
    if (!event) throw new Error(say.missing);
    const state = await finalityOf(provider, event.blockNumber, event.blockHash, {
      finality: this.config.settlement.finality,
      confirmations: this.config.settlement.confirmations,
    });
    if (!state.final) throw new Error(`${say.notFinal} (${state.detail}); retried later`);
    return event;
  }

  /**
   * The outcome of a record the chain says is settled already, from its SessionSettled or
   * TradeSettled event: found newest first, in pages of LOG_PAGE_BLOCKS (lib/chain/events.ts) from the chain's head down to
   * the deployment's block (hosted RPCs refuse unbounded log ranges), as deep as CHAIN_CONFIRMATIONS
   * asks of any settlement, and compared with the job. An event whose parties, amount (energy and
   * price for a trade) or record hash differ from the job is not this record's payment: the record is
   * FAILED with the difference, and an error is logged for the operators (never CONFIRMED).
   */
  private async confirmedFromEvent(job: RecordJob): Promise<Outcome> {
    const { payments } = await this.connect();
    const k = KIND[job.kind ?? 'session'];
    const event = await this.finalEvent(payments.filters[k.event]!(BigInt(job.recordId)), {
      missing: `record ${keyOf(job)} is settled but its event was not found`,
      notFinal: `record ${keyOf(job)}'s settlement is not final`,
    });
    const args = event.args as unknown as unknown[];
    const differences = differencesOf(job, args);
    if (differences.length) {
      this.logger.error(
        { record: keyOf(job), txHash: event.transactionHash, differences },
        'ALERT: the chain settled this record id with other terms than the record’s',
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
      fee: String(args[k.feeArg]),
    };
  }
}
