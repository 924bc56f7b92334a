import type { Config } from '../../../lib/config.js';
import type { Logger } from '../../../lib/logger.js';
import type { Metrics } from '../../../lib/metrics.js';
import { TRADE_OUTCOMES_QUEUE, type AnchorOutcomeJob, type TradeOutcomeJob } from '../../../lib/queues.js';
import { startWorker } from '../../../lib/worker.js';
import type { TradeSettlement } from '../services/trade-settlement.js';

/**
 * Consumes TRADE_OUTCOMES_QUEUE (from the settlement worker): TradeSettlement stores each outcome of a
 * trade (and tells its parties) or of a readings anchor. Outcomes may come in any order and more than once.
 */
export function consumeTradeOutcomes(deps: {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  settlement: TradeSettlement;
}) {
  return startWorker<TradeOutcomeJob | AnchorOutcomeJob>({
    queue: TRADE_OUTCOMES_QUEUE,
    redisUrl: deps.config.redisUrl,
    redisPrefix: deps.config.redisPrefix,
    logger: deps.logger,
    metrics: deps.metrics,
    process: async (job) => {
      if ('anchor' in job.data) await deps.settlement.recordAnchor(job.data);
      else await deps.settlement.record(job.data);
    },
  });
}
