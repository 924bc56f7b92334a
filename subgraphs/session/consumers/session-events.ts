import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../../lib/config.js';
import type { Orm } from '../../../lib/db.js';
import type { LiveEventBus } from '../../../lib/live-events.js';
import type { Logger } from '../../../lib/logger.js';
import type { Metrics } from '../../../lib/metrics.js';
import { QUEUE, type SessionEvent } from '../../../lib/queues.js';
import { startWorker } from '../../../lib/worker.js';
import { applySessionEvent, type PlacementCache } from '../services/session-events.js';
import type { ChargingEndedLookup } from '../services/pricing.js';
import type { SettlementService } from '../services/settlement.service.js';

/**
 * Consumes QUEUE.sessionEvents (from the OCPP bridge): each transaction event is stored and the
 * session's update published by services/session-events.ts.
 */
export function consumeSessionEvents(deps: {
  config: Config;
  orm: Orm;
  logger: Logger;
  metrics: Metrics;
  placements: PlacementCache;
  settlementsFor: (em: EntityManager) => SettlementService;
  live: LiveEventBus;
  chargingEnded?: ChargingEndedLookup;
}) {
  const { config, orm } = deps;
  return startWorker<SessionEvent>({
    queue: QUEUE.sessionEvents,
    redisUrl: config.redisUrl,
    redisPrefix: config.redisPrefix,
    logger: deps.logger,
    metrics: deps.metrics,
    process: async (job) => {
      const em = orm.em.fork() as EntityManager;
      await applySessionEvent(em, job.data, {
        placements: deps.placements,
        defaultCurrency: config.defaultCurrency,
        settlements: deps.settlementsFor(em),
        live: deps.live,
        energyTolerancePct: config.settlement.energyTolerancePct,
        chargingEnded: deps.chargingEnded,
      });
    },
  });
}
