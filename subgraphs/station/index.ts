import 'reflect-metadata';
import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ChargerCommandClient } from '../../lib/charger-commands.js';
import { loadConfig, metricsPlacement, type Config } from '../../lib/config.js';
import { createOrm } from '../../lib/db.js';
import { runIfMain } from '../../lib/main.js';
import { createLogger } from '../../lib/logger.js';
import { LIVE_TOPIC, LiveEventBus, idTokenChangedChannel, lastSeenKey } from '../../lib/live-events.js';

import { Metrics } from '../../lib/metrics.js';
import { createRedis } from '../../lib/redis.js';
import { SessionServiceClient } from '../../lib/service-clients/session.js';
import { UserServiceClient } from '../../lib/service-clients/user.js';
import { ServiceClient } from '../../lib/service-client.js';
import { startSubgraph } from '../../lib/subgraph.js';
import type { StationContext } from './context.js';
import { Charger } from './entities/charger.entity.js';
import { ChargerAlert } from './entities/charger-alert.entity.js';
import { Connector } from './entities/connector.entity.js';
import { MaintenanceWindow } from './entities/maintenance-window.entity.js';
import { Reservation } from './entities/reservation.entity.js';
import { Station } from './entities/station.entity.js';
import { migrations } from './migrations/index.js';
import { buildStationSchema } from './schema.js';
import { LiveStatusSource } from './services/live-status.js';
import { consumeStationEvents } from './consumers/station-events.js';
import { storeMessageLog } from './services/message-log.service.js';
import { ReservationHolds, ReservationService } from './services/reservation.service.js';
import { SmartCharging } from './services/smart-charging.service.js';
import { LocalLists } from './services/local-list.service.js';
import { MaintenanceScheduler, MaintenanceService } from './services/maintenance.service.js';
import { StationService } from './services/station.service.js';
import { ReportService } from './services/report.service.js';
import { ReportRollup } from './services/report-rollup.js';
import { OutageExclusion } from './entities/outage-exclusion.entity.js';

export const STATION_SCHEMA = 'station';
export const stationEntities = [
  Station,
  Charger,
  Connector,
  ChargerAlert,
  Reservation,
  MaintenanceWindow,
  OutageExclusion,
];

/**
 * Starts the station subgraph: migrations, the consumer of the bridge's station events, the client
 * for remote commands, then the HTTP server.
 */
export async function startStationSubgraph(config: Config) {
  const logger = createLogger('station-subgraph', config.logLevel);
  const orm = await createOrm({
    databaseUrl: config.databaseUrl,
    schema: STATION_SCHEMA,
    entities: stationEntities,
    migrations,
    logger,
  });
  const metrics = new Metrics('station');
  // Request path (last-seen reads, remote commands): fails within 500 ms while Redis is away.
  const redis = createRedis(config.redisUrl, logger, { purpose: 'requests', requestPath: true });
  const commands = new ChargerCommandClient(
    redis,
    createRedis(config.redisUrl, logger, { purpose: 'command replies' }),
    config.redisPrefix,
    config.chargerCommandTimeoutMs,
  );
  // Subscribers get charger status from the bridges' live channel; the queue's events store it.
  const live = new LiveEventBus(
    redis,
    createRedis(config.redisUrl, logger, { purpose: 'live events' }),
    config.redisPrefix,
    logger,
    {
      [LIVE_TOPIC.chargerStatus]: new LiveStatusSource(config.redisPrefix, orm.em),
    },
  );
  const holds = new ReservationHolds(redis, config.redisPrefix);
  const scheduler = new MaintenanceScheduler({
    em: () => orm.em.fork() as EntityManager,
    commands,
    logger,
    pollMs: config.maintenancePollMs,
  });
  scheduler.start();
  const rollup = new ReportRollup({
    em: () => orm.em.fork() as EntityManager,
    logger,
    pollMs: config.reportRollupMs,
  });
  rollup.start();
  const smart = new SmartCharging({ em: () => orm.em.fork() as EntityManager, commands, logger });
  const events = consumeStationEvents({
    config,
    orm,
    logger,
    metrics,
    live,
    holds,
    statusChanged: (stationId) => smart.statusChanged(stationId),
  });
  // The bridges' message log, stored here (the station subgraph owns chargers).
  const messageLog = storeMessageLog({
    em: () => orm.em.fork() as EntityManager,
    redis: createRedis(config.redisUrl, logger, { purpose: 'message log' }),
    prefix: config.redisPrefix,
    retentionDays: config.messageLogRetentionDays,
    maxBytes: config.messageLogMaxBytes,
    logger,
  });
  const users = new UserServiceClient(
    new ServiceClient({ url: config.subgraphUrls.user, keys: config.signing, service: 'station-subgraph' }),
  );
  const sessions = new SessionServiceClient(
    new ServiceClient({
      url: config.subgraphUrls.session,
      keys: config.signing,
      service: 'station-subgraph',
    }),
  );
  const localLists = new LocalLists({
    em: () => orm.em.fork() as EntityManager,
    commands,
    stationDrivers: (stationId, since) => sessions.stationDrivers(stationId, since),
    idTokensOfUsers: (userIds) => users.idTokensOfUsers(userIds),
    logger,
  });
  // A token blocked anywhere reaches the local lists that hold it.
  const tokenChanges = createRedis(config.redisUrl, logger, { purpose: 'id token changes' });
  tokenChanges.on('message', (_channel: string, token: string) => void localLists.tokenChanged(token));
  await tokenChanges.subscribe(idTokenChangedChannel(config.redisPrefix));
  const { schema } = await buildStationSchema();
  const server = await startSubgraph<StationContext>({
    name: 'station',
    schema,
    orm,
    signing: config.signing,
    logger,
    host: config.host,
    port: config.ports.station,
    subscriptions: true,
    metrics,
    metricsAt: metricsPlacement(config, 'station'),
    context: (base) => {
      const stations = new StationService(
        base.em,
        base.viewer,
        (userId) => users.accountExists(userId),
        (vehicleId, userId) => users.vehiclePlugs(vehicleId, userId),
      );
      const idTokenStatus = (token: string) => users.idTokenAuthorization(token);
      return {
        ...base,
        stations,
        commands,
        smart,
        localLists,
        maintenance: new MaintenanceService(base.em, base.viewer, { stations, scheduler }),
        reports: new ReportService(base.em, base.viewer),
        reservations: new ReservationService(base.em, base.viewer, {
          stations,
          commands,
          holds,
          idTokenStatus,
        }),
        live,
        idTokenStatus,
        lastSeen: new DataLoader<string, Date | null>(async (identities) => {
          const values = await redis.hmget(lastSeenKey(config.redisPrefix), ...identities);
          return values.map((v) => (v ? new Date(v) : null));
        }),
      };
    },
  });
  return {
    url: server.url,
    port: server.port,
    close: async () => {
      await server.close();
      await events.close();
      await messageLog.close();
      await scheduler.stop();
      await rollup.stop();
      tokenChanges.disconnect();
      live.close();
      await commands.close();
      redis.disconnect();
      await orm.close();
    },
  };
}

await runIfMain(import.meta.url, () => startStationSubgraph(loadConfig()));
