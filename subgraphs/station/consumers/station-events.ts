import type { Config } from '../../../lib/config.js';
import type { Orm } from '../../../lib/db.js';
import type { Logger } from '../../../lib/logger.js';
import type { Metrics } from '../../../lib/metrics.js';
import { LIVE_TOPIC, type ChargerAlertLive, type LiveEventBus } from '../../../lib/live-events.js';
import { QUEUE, type StationEvent } from '../../../lib/queues.js';
import { startWorker } from '../../../lib/worker.js';
import type { ReservationHolds } from '../services/reservation.service.js';
import { StationEventsService } from '../services/station-events.service.js';

/** Consumes QUEUE.stationEvents (from the OCPP bridge): boot notifications, status, firmware. */
export function consumeStationEvents(deps: {
  config: Config;
  orm: Orm;
  logger: Logger;
  metrics: Metrics;
  live: LiveEventBus;
  holds: ReservationHolds;
  /** Told of each status stored, to share a limited station's power again. */
  statusChanged: (stationId: string) => Promise<void>;
}) {
  return startWorker<StationEvent>({
    queue: QUEUE.stationEvents,
    redisUrl: deps.config.redisUrl,
    redisPrefix: deps.config.redisPrefix,
    logger: deps.logger,
    metrics: deps.metrics,
    process: async (job) => {
      const applied = await new StationEventsService(
        deps.orm.em.fork(),
        deps.logger,
        (alert) => deps.live.publish<ChargerAlertLive>(LIVE_TOPIC.chargerAlert, alert),
        deps.holds,
      ).apply(job.data);
      // Not awaited: charging profiles go out while the queue moves on.
      if (applied) void deps.statusChanged(applied.stationId).catch(() => {});
      return applied;
    },
  });
}
