import http from 'node:http';
import { Queue, UnrecoverableError, type JobsOptions } from 'bullmq';
import { Contract, JsonRpcProvider, Network, Wallet, type EventLog, type Log, type Signer } from 'ethers';
import { artifact, readDeployment, SettlementSkipReason, type Deployment } from '../lib/chain/contracts.js';
import { devWallet, isDevelopmentKey } from '../lib/chain/hardhat-node.js';
import { TxSender } from '../lib/chain/tx-sender.js';
import { loadConfig, metricsPlacement, type Config } from '../lib/config.js';
import { createLogger, type Logger } from '../lib/logger.js';
import { runIfMain } from '../lib/main.js';
import { Metrics, serveMetrics } from '../lib/metrics.js';
import {
  SETTLEMENT_OUTCOMES_QUEUE,
  SETTLEMENT_QUEUE,
  traced,
  type SettleSessionJob,
  type SettlementOutcomeJob,
} from '../lib/queues.js';
import { createRedis } from '../lib/redis.js';
import { startWorker } from '../lib/worker.js';

type Outcome =
  | { status: 'CONFIRMED'; txHash: string; blockNumber: number; fee: string }
  | { status: 'FAILED'; failureReason: string };

/** Outcomes are retried until the session subgraph takes them; kept a day, then dropped. */
const OUTCOME_OPTIONS: JobsOptions = {
  attempts: 20,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: { age: 24 * 3600, count: 100_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** Why the contract skipped a record (its SettlementSkipped event), for the session's failureReason. */
const SKIP_REASONS: Record<number, string> = {
  [SettlementSkipReason.OverAuthorization]: 'The payer has not authorized this much for charging',
  [SettlementSkipReason.InsufficientEscrow]: 'The payer’s escrow is too small',
  [SettlementSkipReason.Invalid]: 'Invalid record (zero amount or address)',
};

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
  ) {}

  /** The settler's account, once connected (for the balance gauge). */
  async settlerBalance(): Promise<bigint | null> {
    if (!this.chain) return null;
    const { wallet, provider } = await this.chain;
    return provider.getBalance(await wallet.getAddress());
  }

  private connect() {
    this.chain ??= (async () => {
      const deployment = await readDeployment(this.config.settlement.network);
      const provider = new JsonRpcProvider(this.config.chain.rpcUrl, Network.from(deployment.chainId), {
        staticNetwork: true,
        batchMaxCount: 1,
        cacheTimeout: -1,
      });
      const key = this.config.settlement.settlerKey;
      if (!key && this.config.env === 'production')
        throw new UnrecoverableError('SETTLER_PRIVATE_KEY must be set');
      // The development mnemonic's accounts are public: in production they would settle for anyone.
      if (key && this.config.env === 'production' && isDevelopmentKey(key))
        throw new UnrecoverableError('SETTLER_PRIVATE_KEY is a published development account');
      const wallet = key ? new Wallet(key, provider) : devWallet(1, provider);
      const sender = new TxSender(wallet, provider, {
        timeoutMs: this.config.settlement.txTimeoutMs,
        maxFeeGwei: this.config.settlement.maxFeeGwei,
        confirmations: this.config.settlement.confirmations,
        logger: this.logger,
        onReplaced: () => this.metrics?.replaced.inc(),
      });
      const payments = new Contract(
        deployment.paymentsContract,
        (await artifact('ChargingPayments')).abi,
        provider,
      );
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
    const outcomes = new Map<string, Outcome>();
    // Exactly once: whatever the chain already has is confirmed from its event, not sent again.
    const settled = await Promise.all(
      jobs.map((j) => payments.isSettled(BigInt(j.recordId)) as Promise<boolean>),
    );
    for (const [i, j] of jobs.entries())
      if (settled[i]) outcomes.set(j.recordId, await this.confirmedFromEvent(payments, j.recordId));
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
              ? await this.confirmedFromEvent(payments, recordId)
              : { status: 'FAILED', failureReason: SKIP_REASONS[reason] ?? `skipped (${reason})` },
          );
        }
      }
    }
    return jobs.map(
      (j) => outcomes.get(j.recordId) ?? { status: 'FAILED', failureReason: 'No outcome in the receipt' },
    );
  }

  private async confirmedFromEvent(payments: Contract, recordId: string): Promise<Outcome> {
    const [event] = (await payments.queryFilter(
      payments.filters.SessionSettled!(BigInt(recordId)),
    )) as EventLog[];
    if (!event) throw new Error(`record ${recordId} is settled but its event was not found`);
    return {
      status: 'CONFIRMED',
      txHash: event.transactionHash,
      blockNumber: event.blockNumber,
      fee: String(event.args[4]),
    };
  }
}

/** Settlement lag in seconds: from the session's stop to its confirmation on chain. */
const LAG_BUCKETS = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600];

/** The settlement worker's metrics (besides the process defaults and its queue's job counts). */
function settlementMetrics(metrics: Metrics, batcher: () => SettlementBatcher) {
  metrics.gauge({
    name: 'settler_balance_wei',
    help: "The settler account's native balance (it pays the gas), in wei",
    async collect() {
      let timer: NodeJS.Timeout | undefined;
      const balance = await Promise.race([
        batcher().settlerBalance(),
        new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), 1000))),
      ]).catch(() => null);
      clearTimeout(timer);
      if (balance !== null) this.set(Number(balance));
    },
  });
  return {
    records: metrics.counter({
      name: 'settlement_records_total',
      help: 'Settlement records finished, by outcome (CONFIRMED or FAILED)',
      labelNames: ['outcome'],
    }),
    batches: metrics.counter({ name: 'settlement_batches_total', help: 'settleBatch transactions mined' }),
    gas: metrics.counter({ name: 'settlement_gas_used_total', help: 'Gas used by settleBatch transactions' }),
    lag: metrics.histogram({
      name: 'settlement_lag_seconds',
      help: "From a session's stop to its settlement's confirmation on chain",
      buckets: LAG_BUCKETS,
    }),
    replaced: metrics.counter({
      name: 'settlement_transactions_replaced_total',
      help: 'Settlement transactions sent again at their nonce with higher fees (stuck or not mined in time)',
    }),
  };
}

type SettlementMetrics = ReturnType<typeof settlementMetrics>;

/** The settlement worker process: BullMQ consumer, batcher, /health and /metrics. */
export async function startSettlementWorker(config: Config, port: number) {
  const logger = createLogger('settlement-worker', config.logLevel);
  const metrics = new Metrics('settlement-worker');
  const metricsServer = await serveMetrics(metrics, metricsPlacement(config, 'settlement-worker'), logger);
  const measured = settlementMetrics(metrics, () => batcher);
  const batcher = new SettlementBatcher(config, logger, measured);
  // Outcomes go back to the session subgraph on a queue of their own (it stores and publishes them).
  const outcomes = new Queue<SettlementOutcomeJob>(SETTLEMENT_OUTCOMES_QUEUE, {
    connection: createRedis(config.redisUrl, logger, { purpose: 'settlement outcomes producer' }),
    prefix: `${config.redisPrefix}:bull`,
  });
  const report = (sessionId: string, o: Outcome | { status: 'SUBMITTED' }) =>
    outcomes.add('settlement-outcome', traced({ sessionId, ...o }), OUTCOME_OPTIONS);
  const worker = startWorker<SettleSessionJob>({
    queue: SETTLEMENT_QUEUE,
    redisUrl: config.redisUrl,
    redisPrefix: config.redisPrefix,
    // Enough jobs in flight at once to fill a batch.
    concurrency: config.settlement.batchSize * 2,
    logger,
    metrics,
    process: async (job) => {
      await report(job.data.sessionId, { status: 'SUBMITTED' });
      const outcome = await batcher.submit(job.data);
      await report(job.data.sessionId, outcome);
      measured.records.inc({ outcome: outcome.status });
      if (outcome.status === 'CONFIRMED' && job.data.stoppedAt)
        measured.lag.observe(Math.max(0, (Date.now() - Date.parse(job.data.stoppedAt)) / 1000));
      logger.info({ sessionId: job.data.sessionId, status: outcome.status }, 'settlement recorded');
      return outcome;
    },
  });
  const server = http.createServer(async (req, res) => {
    if (await metricsServer.onMainServer(req, res)) return;
    res.writeHead(req.url === '/health' || req.url === '/ready' ? 200 : 404, {
      'content-type': 'application/json',
    });
    res.end(JSON.stringify({ status: 'ok' }));
  });
  await new Promise<void>((resolve) => server.listen(port, config.host, resolve));
  logger.info({ port }, 'settlement worker running');
  return {
    close: async () => {
      await worker.close();
      await outcomes.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await metricsServer.close();
    },
  };
}

await runIfMain(import.meta.url, async () => {
  const config = loadConfig();
  return startSettlementWorker(config, config.ports.settlementWorker);
});
