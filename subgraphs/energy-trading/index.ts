import 'reflect-metadata';
import type { EntityManager } from '@mikro-orm/postgresql';
import type pg from 'pg';
import { ChainReader } from '../../lib/chain/reader.js';
import { ledgerDomain } from '../../lib/ledger.js';
import { loadConfig, metricsPlacement, type Config } from '../../lib/config.js';
import { createOrm, type Orm } from '../../lib/db.js';
import { LIVE_TOPIC, LiveEventBus, type MeterReadingsLive } from '../../lib/live-events.js';
import { createLogger } from '../../lib/logger.js';
import { runIfMain } from '../../lib/main.js';
import { Metrics } from '../../lib/metrics.js';
import { createRedis } from '../../lib/redis.js';
import { ServiceClient } from '../../lib/service-client.js';
import { UserServiceClient } from '../../lib/service-clients/user.js';
import { startSubgraph } from '../../lib/subgraph.js';
import { issueTradeExport, tradeExportRoute } from './services/trade-export.js';
import { settlementProducer } from '../../lib/settlement.js';
import { runMarketJobs } from './consumers/market-jobs.js';
import { consumeTradeOutcomes } from './consumers/trade-outcomes.js';
import { consumeMqttReadings } from './consumers/mqtt-readings.js';
import type { EnergyContext } from './context.js';
import { Clearing } from './entities/clearing.entity.js';
import { Community } from './entities/community.entity.js';
import { Membership } from './entities/membership.entity.js';
import { Meter } from './entities/meter.entity.js';
import { MarketOrder } from './entities/order.entity.js';
import { Site, SiteShare } from './entities/site.entity.js';
import { Trade } from './entities/trade.entity.js';
import { migrations } from './migrations/index.js';
import { buildEnergySchema } from './schema.js';
import { CommunityService } from './services/community.service.js';
import { EscrowBook } from './services/escrow.js';
import { Market } from './services/market.js';
import { OrderService } from './services/order.service.js';
import { ReadingStore, type IncomingReading } from './services/readings.js';
import { SiteService } from './services/site.service.js';
import { TradeSettlement } from './services/trade-settlement.js';

export const MARKET_SCHEMA = 'market';
export const energyEntities = [Community, Membership, Site, SiteShare, Meter, MarketOrder, Clearing, Trade];

/** The ORM's own Postgres pool (pg), for the bulk statements of readings and clearing. */
export async function poolOf(orm: Orm): Promise<pg.Pool> {
  const connection = orm.em.getConnection() as unknown as { getNativeClient(): Promise<pg.Pool> };
  return connection.getNativeClient();
}

/**
 * Starts the energy-trading subgraph: migrations, the market's scheduler and job worker
 * (consumers/market-jobs.ts), the MQTT readings consumer when MQTT_URL is set, the HTTP server.
 */
export async function startEnergySubgraph(config: Config) {
  const logger = createLogger('energy-subgraph', config.logLevel);
  const orm = await createOrm({
    databaseUrl: config.databaseUrl,
    schema: MARKET_SCHEMA,
    entities: energyEntities,
    migrations,
    logger,
  });
  const pool = await poolOf(orm);
  const metrics = new Metrics('energy');
  const publisher = createRedis(config.redisUrl, logger, {
    purpose: 'live event publisher',
    enableOfflineQueue: false,
  });
  // Request path (download tickets): fails fast while Redis is away.
  const requests = createRedis(config.redisUrl, logger, { purpose: 'requests', requestPath: true });
  const live = new LiveEventBus(
    publisher,
    createRedis(config.redisUrl, logger, { purpose: 'live events' }),
    config.redisPrefix,
    logger,
  );
  const store = new ReadingStore(pool);
  const readingsTotal = metrics.counter({
    name: 'meter_readings_total',
    help: 'Meter readings by outcome (either door)',
    labelNames: ['outcome'],
  });
  const ingest = async (readings: IncomingReading[]) => {
    const outcomes = await store.ingest(readings);
    const perMeter = new Map<string, MeterReadingsLive>();
    outcomes.forEach((o, i) => {
      readingsTotal.inc({ outcome: o.status.toLowerCase() });
      if (o.status !== 'ACCEPTED') return;
      const r = readings[i]!;
      const e = perMeter.get(r.meterId) ?? { meterId: r.meterId, accepted: 0, latest: r.ts };
      e.accepted++;
      e.latest = Math.max(e.latest, r.ts);
      perMeter.set(r.meterId, e);
    });
    for (const e of perMeter.values()) await live.publish(LIVE_TOPIC.meterReadings, e);
    return outcomes;
  };
  const market = new Market(pool, live, logger);
  const users = new UserServiceClient(
    new ServiceClient({ url: config.subgraphUrls.user, keys: config.signing, service: 'energy-subgraph' }),
  );
  const settlementQueue = settlementProducer(config, logger, metrics);
  const chain = new ChainReader(config.chain.rpcUrl, config.settlement.network);
  const settlement = new TradeSettlement(pool, {
    users,
    queue: settlementQueue,
    logger,
    publish: (ids) => market.publishTrades(ids),
    chain,
    domain: async () => ledgerDomain((await chain.load()).deployment),
  });
  const jobs = runMarketJobs({ config, pool, market, settlement, logger, metrics });
  const outcomes = consumeTradeOutcomes({ config, logger, metrics, settlement });
  const mqttConsumer = config.market.mqttUrl
    ? consumeMqttReadings({
        url: config.market.mqttUrl,
        platform: config.redisPrefix,
        pool,
        ingest,
        logger,
        metrics,
      })
    : null;
  const escrow = new EscrowBook(users, chain);
  const { schema } = await buildEnergySchema();
  const server = await startSubgraph<EnergyContext>({
    name: 'energy',
    downloads: tradeExportRoute,
    schema,
    orm,
    signing: config.signing,
    logger,
    host: config.host,
    port: config.ports.energy,
    subscriptions: true,
    metrics,
    metricsAt: metricsPlacement(config, 'energy'),
    context: (base) => {
      const em = base.em as EntityManager;
      const sites = new SiteService(em, base.viewer);
      return {
        ...base,
        communities: new CommunityService(em, base.viewer, config.market.minIntervalMinutes),
        sites,
        orders: new OrderService(em, base.viewer, sites, escrow, (userId) =>
          users.actionRefusal(userId, 'placeOrder'),
        ),
        pool,
        ingest,
        live,
        chain,
        exportTrades: (from, to, communityId) =>
          issueTradeExport(requests, config.redisPrefix, base.viewer, from, to, communityId),
      };
    },
  });
  return {
    url: server.url,
    port: server.port,
    close: async () => {
      await server.close();
      await mqttConsumer?.close();
      await jobs.close();
      await outcomes.close();
      await settlementQueue.close();
      live.close();
      publisher.disconnect();
      requests.disconnect();
      await orm.close();
    },
  };
}

await runIfMain(import.meta.url, () => startEnergySubgraph(loadConfig()));
