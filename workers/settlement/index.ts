/**
 * The settlement worker process: consumes `settlements` (settle-session, settle-plan-fee and
 * settle-trade jobs, reading anchors), batches them on chain, reports session and plan-fee outcomes on
 * `settlement-outcomes` and trade outcomes on `trade-settlement-outcomes`.
 */
import http from 'node:http';
import { Queue, UnrecoverableError, type JobsOptions } from 'bullmq';
import { loadConfig, metricsPlacement, type Config } from '../../lib/config.js';
import { createLogger } from '../../lib/logger.js';
import { runIfMain } from '../../lib/main.js';
import { Metrics, serveMetrics } from '../../lib/metrics.js';
import {
  SETTLEMENT_OUTCOMES_QUEUE,
  SETTLEMENT_QUEUE,
  TRADE_OUTCOMES_QUEUE,
  traced,
  type AnchorOutcomeJob,
  type PlanFeeOutcomeJob,
  type SettlementJob,
  type SettlementOutcomeJob,
  type TradeOutcomeJob,
} from '../../lib/queues.js';
import { SettlerLease } from '../../lib/chain/settler-lease.js';
import { createRedis } from '../../lib/redis.js';
import { startWorker } from '../../lib/worker.js';

import { SettlementBatcher, type Outcome } from './batcher.js';
import { settlementMetrics } from './metrics.js';

/** Outcomes are retried until the session subgraph takes them; kept a day, then dropped. */
const OUTCOME_OPTIONS: JobsOptions = {
  attempts: 20,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: { age: 24 * 3600, count: 100_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** The settlement worker process: BullMQ consumer, batcher, /health and /metrics. */
export async function startSettlementWorker(config: Config, port: number) {
  const logger = createLogger('settlement-worker', config.logLevel);
  const metrics = new Metrics('settlement-worker');
  const metricsServer = await serveMetrics(metrics, metricsPlacement(config, 'settlement-worker'), logger);
  const measured = settlementMetrics(metrics, () => batcher);
  const leaseRedis = createRedis(config.redisUrl, logger, { purpose: 'settler lease' });
  const batcher = new SettlementBatcher(
    config,
    logger,
    measured,
    (settler) => new SettlerLease(leaseRedis, `${config.redisPrefix}:settler-lease:${settler}`, logger),
  );
  // Outcomes go back to the record's owner on a queue of their own (it stores and publishes them):
  // sessions to the session subgraph, trades to the energy-trading subgraph.
  const producer = (queue: string, purpose: string) =>
    new Queue(queue, {
      connection: createRedis(config.redisUrl, logger, { purpose }),
      prefix: `${config.redisPrefix}:bull`,
    });
  const outcomes = producer(SETTLEMENT_OUTCOMES_QUEUE, 'settlement outcomes producer') as Queue<
    SettlementOutcomeJob | PlanFeeOutcomeJob
  >;
  const tradeOutcomes = producer(TRADE_OUTCOMES_QUEUE, 'trade outcomes producer') as Queue<
    TradeOutcomeJob | AnchorOutcomeJob
  >;
  const report = (job: SettlementJob, o: Outcome | { status: 'SUBMITTED' }) => {
    if (job.kind === 'anchor') {
      const { fee: _, ...anchored } = o as Outcome & { fee?: string };
      const anchor = { communityId: job.communityId, intervalStart: job.intervalStart };
      return tradeOutcomes.add(
        'anchor-outcome',
        traced({ anchor, ...anchored } as AnchorOutcomeJob),
        OUTCOME_OPTIONS,
      );
    }
    if (job.kind === 'trade')
      return tradeOutcomes.add('trade-outcome', traced({ tradeId: job.tradeId, ...o }), OUTCOME_OPTIONS);
    if (job.kind === 'planFee')
      return outcomes.add('plan-fee-outcome', traced({ planChargeId: job.chargeId, ...o }), OUTCOME_OPTIONS);
    return outcomes.add('settlement-outcome', traced({ sessionId: job.sessionId, ...o }), OUTCOME_OPTIONS);
  };
  const recordOf = (job: SettlementJob) =>
    job.kind === 'anchor'
      ? { communityId: job.communityId, intervalStart: job.intervalStart }
      : job.kind === 'trade'
        ? { tradeId: job.tradeId }
        : job.kind === 'planFee'
          ? { planChargeId: job.chargeId }
          : { sessionId: job.sessionId };
  const worker = startWorker<SettlementJob>({
    queue: SETTLEMENT_QUEUE,
    redisUrl: config.redisUrl,
    redisPrefix: config.redisPrefix,
    // Enough jobs in flight at once to fill every batch of the pipeline and the next one.
    concurrency: config.settlement.batchSize * (config.settlement.pipeline + 1),
    logger,
    metrics,
    process: async (job) => {
      await report(job.data, { status: 'SUBMITTED' });
      const outcome = await batcher.submit(job.data);
      await report(job.data, outcome);
      measured.records.inc({ outcome: outcome.status });
      if (outcome.status === 'CONFIRMED' && job.data.kind !== 'anchor' && job.data.stoppedAt)
        measured.lag.observe(Math.max(0, (Date.now() - Date.parse(job.data.stoppedAt)) / 1000));
      logger.info({ ...recordOf(job.data), status: outcome.status }, 'settlement recorded');
      return outcome;
    },
  });
  // A job that will not run again (attempts used up, or an unrecoverable error) would leave its
  // session SUBMITTED for good: its final failure is reported, with a reason fit for the API (the
  // error itself, which may name internal hosts, goes to the log).
  worker.worker.on('failed', (job, err) => {
    if (!job) return;
    const final = err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    if (!final) return;
    logger.error({ err, ...recordOf(job.data), attempts: job.attemptsMade }, 'settlement gave up');
    measured.records.inc({ outcome: 'FAILED' });
    void report(job.data, {
      status: 'FAILED',
      failureReason: `Not settled: sending failed ${job.attemptsMade} time(s); an operator or the driver may retry it (retrySettlement)`,
    }).catch((e: unknown) => logger.error({ err: e, ...recordOf(job.data) }, 'final failure not reported'));
  });
  const server = http.createServer(async (req, res) => {
    if (await metricsServer.onMainServer(req, res)) return;
    res.writeHead(req.url === '/health' || req.url === '/ready' ? 200 : 404, {
      'content-type': 'application/json',
    });
    res.end(JSON.stringify({ status: 'ok', pid: process.pid }));
  });
  await new Promise<void>((resolve) => server.listen(port, config.host, resolve));
  logger.info({ port }, 'settlement worker running');
  return {
    close: async () => {
      await worker.close();
      await batcher.close();
      leaseRedis.disconnect();
      await outcomes.close();
      await tradeOutcomes.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await metricsServer.close();
    },
  };
}

await runIfMain(import.meta.url, async () => {
  const config = loadConfig();
  return startSettlementWorker(config, config.ports.settlementWorker);
});
