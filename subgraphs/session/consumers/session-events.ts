import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../../lib/config.js';
import type { Orm } from '../../../lib/db.js';
import { LIVE_TOPIC, type LiveEventBus, type SessionUpdatedLive } from '../../../lib/live-events.js';
import type { Logger } from '../../../lib/logger.js';
import type { Metrics } from '../../../lib/metrics.js';
import { QUEUE, type SessionEvent } from '../../../lib/queues.js';
import { startWorker } from '../../../lib/worker.js';
import { applySessionEvent, type PlacementCache } from '../services/session-events.js';
import type { SettlementService } from '../services/settlement.service.js';

const UPDATE_KIND = { started: 'STARTED', meter: 'METER_VALUES', ended: 'STOPPED' } as const;

/**
 * Consumes QUEUE.sessionEvents (from the OCPP bridge): stores each transaction event, then publishes
 * the session's update to its followers.
 */
export function consumeSessionEvents(deps: {
  config: Config;
  orm: Orm;
  logger: Logger;
  metrics: Metrics;
  placements: PlacementCache;
  settlementsFor: (em: EntityManager) => SettlementService;
  live: LiveEventBus;
}) {
  const { config, orm, live } = deps;
  return startWorker<SessionEvent>({
    queue: QUEUE.sessionEvents,
    redisUrl: config.redisUrl,
    redisPrefix: config.redisPrefix,
    logger: deps.logger,
    metrics: deps.metrics,
    process: async (job) => {
      const em = orm.em.fork() as EntityManager;
      const { session } = await applySessionEvent(
        em,
        job.data,
        deps.placements,
        config.defaultCurrency,
        deps.settlementsFor(em),
      );
      await live.publish<SessionUpdatedLive>(LIVE_TOPIC.sessionUpdated, {
        sessionId: session.id,
        userId: session.userId,
        kind: UPDATE_KIND[job.data.kind],
        at: job.data.timestamp,
      });
    },
  });
}
