import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../../lib/config.js';
import type { Orm } from '../../../lib/db.js';
import type { Logger } from '../../../lib/logger.js';
import type { Metrics } from '../../../lib/metrics.js';
import {
  SETTLEMENT_OUTCOMES_QUEUE,
  type PlanFeeOutcomeJob,
  type SettlementOutcomeJob,
} from '../../../lib/queues.js';
import { startWorker } from '../../../lib/worker.js';
import type { SettlementService } from '../services/settlement.service.js';
import { recordPlanFeeOutcome } from '../services/plans.js';

/**
 * Consumes SETTLEMENT_OUTCOMES_QUEUE (from the settlement worker): SettlementService stores each
 * session outcome and publishes the session's update; a plan fee's outcome goes to its charge. Outcomes may come in any order and more than once.
 */
export function consumeSettlementOutcomes(deps: {
  config: Config;
  orm: Orm;
  logger: Logger;
  metrics: Metrics;
  settlementsFor: (em: EntityManager) => SettlementService;
}) {
  return startWorker<SettlementOutcomeJob | PlanFeeOutcomeJob>({
    queue: SETTLEMENT_OUTCOMES_QUEUE,
    redisUrl: deps.config.redisUrl,
    redisPrefix: deps.config.redisPrefix,
    logger: deps.logger,
    metrics: deps.metrics,
    process: async (job) => {
      const em = deps.orm.em.fork() as EntityManager;
      if ('planChargeId' in job.data) await recordPlanFeeOutcome(em, job.data);
      else await deps.settlementsFor(em).record(job.data);
    },
  });
}
