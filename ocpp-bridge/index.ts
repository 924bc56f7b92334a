import { metricsPlacement } from '../lib/config.js';
import { idTokenChangedChannel } from '../lib/live-events.js';
import { runIfMain } from '../lib/main.js';
import { Metrics, serveMetrics } from '../lib/metrics.js';
import { createLogger } from '../lib/logger.js';
import { createRedis } from '../lib/redis.js';
import { ServiceClient } from '../lib/service-client.js';
import { StationServiceClient } from '../lib/service-clients/station.js';
import { SessionServiceClient } from '../lib/service-clients/session.js';
import { UserServiceClient } from '../lib/service-clients/user.js';
import { loadBridgeConfig, type BridgeConfig } from './config.js';
import { EventSink } from './events.js';
import { IdTokenCache } from './id-token-cache.js';
import { MessageLogShipper } from './message-log.js';
import { bridgeMetrics } from './metrics.js';
import {
  redisReservations,
  stationAuthenticator,
  sessionChargeGuard,
  userIdTokenAuthorizer,
  type ChargeGuard,
  type ChargerAuthenticator,
  type IdTokenAuthorizer,
} from './ports.js';
import { startBridgeServer } from './server.js';

export interface BridgeDeps {
  authenticator?: ChargerAuthenticator;
  idTokens?: IdTokenAuthorizer;
  chargeGuard?: ChargeGuard;
}

/**
 * Starts one OCPP bridge instance. It keeps no database: credentials and id tokens are asked of the
 * owning subgraphs, and everything chargers say leaves through Redis (BullMQ jobs, pub/sub).
 */
export async function startOcppBridge(config: BridgeConfig, deps: BridgeDeps = {}) {
  const { base } = config;
  const logger = createLogger('ocpp-bridge', base.logLevel);
  const client = (url: string) =>
    new ServiceClient({ url, keys: base.signing, service: 'ocpp-bridge', timeoutMs: 3000 });
  const redis = createRedis(base.redisUrl, logger, { purpose: 'live status and commands' });
  // Fails fast while Redis is down (no offline queue), so a charger hears "retry" within the timeout.
  const queueRedis = createRedis(base.redisUrl, logger, {
    purpose: 'event queues',
    enableOfflineQueue: false,
  });
  const commandSubscriber = createRedis(base.redisUrl, logger, { purpose: 'command subscriber' });
  const idTokens = new IdTokenCache(
    deps.idTokens ?? userIdTokenAuthorizer(new UserServiceClient(client(base.subgraphUrls.user))),
  );
  // A token blocked anywhere is forgotten here at once (the cache's TTL covers a lost message).
  const idTokenSubscriber = createRedis(base.redisUrl, logger, { purpose: 'id token changes' });
  idTokenSubscriber.on('message', (_channel: string, token: string) => idTokens.forget(token));
  await idTokenSubscriber.subscribe(idTokenChangedChannel(base.redisPrefix));
  const registry = new Metrics('ocpp-bridge');
  let connectionsByProtocol = () => ({ OCPP16: 0, OCPP201: 0 });
  const metrics = bridgeMetrics(registry, () => connectionsByProtocol());
  const metricsServer = await serveMetrics(registry, metricsPlacement(base, 'ocpp-bridge'), logger);
  const events = new EventSink({
    onEnqueued: metrics.enqueued,
    queueRedis,
    redis,
    prefix: base.redisPrefix,
    enqueueTimeoutMs: config.enqueueTimeoutMs,
    lastSeenThrottleMs: config.lastSeenThrottleMs,
    logger,
  });
  const messageLog =
    config.messageLogPerChargerPerMinute === null
      ? undefined
      : new MessageLogShipper({
          redis: queueRedis,
          prefix: base.redisPrefix,
          logger,
          perChargerPerMinute: config.messageLogPerChargerPerMinute,
        });
  const server = await startBridgeServer({
    host: base.host,
    port: config.port,
    maxConnections: config.maxConnections,
    heartbeatIntervalSeconds: config.heartbeatIntervalSeconds,
    authenticator:
      deps.authenticator ?? stationAuthenticator(new StationServiceClient(client(base.subgraphUrls.station))),
    idTokens,
    chargeGuard:
      deps.chargeGuard ??
      sessionChargeGuard(new SessionServiceClient(client(base.subgraphUrls.session)), logger),
    reservations: redisReservations(redis, base.redisPrefix, logger),
    events,
    redis,
    commandSubscriber,
    prefix: base.redisPrefix,
    instanceId: config.instanceId,
    tls: config.tls,
    messageLog,
    logger,
    metrics,
    routes: metricsServer.onMainServer,
  });
  connectionsByProtocol = server.connectionsByProtocol;
  for (const q of events.queues) registry.watchQueue(q);
  return {
    ...server,
    close: async () => {
      await server.close();
      await messageLog?.close();
      await events.close();
      await metricsServer.close();
      for (const r of [redis, queueRedis, commandSubscriber, idTokenSubscriber]) r.disconnect();
    },
  };
}

await runIfMain(import.meta.url, () => startOcppBridge(loadBridgeConfig()));
