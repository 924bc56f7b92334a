import { runIfMain } from '../lib/main.js';
import { createLogger } from '../lib/logger.js';
import { createRedis } from '../lib/redis.js';
import { ServiceClient } from '../lib/service-client.js';
import { loadBridgeConfig, type BridgeConfig } from './config.js';
import { EventSink } from './events.js';
import { IdTokenCache } from './id-token-cache.js';
import {
  stationAuthenticator,
  userIdTokenAuthorizer,
  type ChargerAuthenticator,
  type IdTokenAuthorizer,
} from './ports.js';
import { startBridgeServer } from './server.js';

export interface BridgeDeps {
  authenticator?: ChargerAuthenticator;
  idTokens?: IdTokenAuthorizer;
}

/**
 * Starts one OCPP bridge instance. It keeps no database: credentials and id tokens are asked of the
 * owning subgraphs, and everything chargers say leaves through Redis (BullMQ jobs, pub/sub).
 */
export async function startOcppBridge(config: BridgeConfig, deps: BridgeDeps = {}) {
  const { base } = config;
  const logger = createLogger('ocpp-bridge', base.logLevel);
  const client = (url: string) =>
    new ServiceClient({ url, secret: base.internalTokenSecret, service: 'ocpp-bridge', timeoutMs: 3000 });
  const redis = createRedis(base.redisUrl);
  // Fails fast while Redis is down (no offline queue), so a charger hears "retry" within the timeout.
  const queueRedis = createRedis(base.redisUrl, { enableOfflineQueue: false });
  const commandSubscriber = createRedis(base.redisUrl);
  for (const r of [redis, queueRedis, commandSubscriber]) {
    r.on('error', (err) => logger.debug({ err }, 'redis connection error'));
  }
  const events = new EventSink({
    queueRedis,
    redis,
    prefix: base.redisPrefix,
    enqueueTimeoutMs: config.enqueueTimeoutMs,
    lastSeenThrottleMs: config.lastSeenThrottleMs,
    logger,
  });
  const server = await startBridgeServer({
    host: base.host,
    port: config.port,
    maxConnections: config.maxConnections,
    heartbeatIntervalSeconds: config.heartbeatIntervalSeconds,
    authenticator: deps.authenticator ?? stationAuthenticator(client(base.subgraphUrls.station)),
    idTokens: new IdTokenCache(deps.idTokens ?? userIdTokenAuthorizer(client(base.subgraphUrls.user))),
    events,
    redis,
    commandSubscriber,
    prefix: base.redisPrefix,
    instanceId: config.instanceId,
    logger,
  });
  return {
    ...server,
    close: async () => {
      await server.close();
      await events.close();
      for (const r of [redis, queueRedis, commandSubscriber]) r.disconnect();
    },
  };
}

await runIfMain(import.meta.url, () => startOcppBridge(loadBridgeConfig()));
