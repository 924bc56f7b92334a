import 'reflect-metadata';
import { ChargerCommandClient } from '../../lib/charger-commands.js';
import { loadConfig, metricsPlacement, type Config } from '../../lib/config.js';
import { createOrm } from '../../lib/db.js';
import { LiveEventBus } from '../../lib/live-events.js';
import { runIfMain } from '../../lib/main.js';
import { createLogger } from '../../lib/logger.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { settlementProducer } from '../../lib/settlement.js';
import { Metrics } from '../../lib/metrics.js';
import { createRedis } from '../../lib/redis.js';
import { ServiceClient } from '../../lib/service-client.js';
import { StationServiceClient } from '../../lib/service-clients/station.js';
import { UserServiceClient } from '../../lib/service-clients/user.js';
import { startSubgraph } from '../../lib/subgraph.js';
import type { SessionContext } from './context.js';
import { ChargingSession } from './entities/charging-session.entity.js';
import { MeterValue } from './entities/meter-value.entity.js';
import { Tariff } from './entities/tariff.entity.js';
import { migrations } from './migrations/index.js';
import { buildSessionSchema } from './schema.js';
import { ChainReader } from '../../lib/chain/reader.js';
import { ledgerDomain } from '../../lib/ledger.js';
import { ChargeGuard } from './services/charge-guard.js';
import { PlacementCache } from './services/session-events.js';
import { consumeSessionEvents } from './consumers/session-events.js';
import { consumeSettlementOutcomes } from './consumers/settlement-outcomes.js';
import { runRefundWatcher, runSettlementSweeper } from './consumers/settlement-sweeper.js';
import { bucketFiguresLoader, SessionRollup } from './services/session-rollup.js';
import { issueSessionExport, sessionExportRoute } from './services/exports.js';
import { InvoiceScheduler, InvoiceService, invoicePdfRoute } from './services/invoices.js';
import { PlanBilling, PlanService } from './services/plans.js';
import { Plan, PlanCharge, PlanSubscription } from './entities/plan.entity.js';
import { Invoice } from './entities/invoice.entity.js';
import { SessionService } from './services/session.service.js';
import { SettlementService } from './services/settlement.service.js';
import { stationOperatorLookup, TariffService } from './services/tariff.service.js';

export const SESSION_SCHEMA = 'session';

export const sessionEntities = [
  ChargingSession,
  MeterValue,
  Tariff,
  Invoice,
  Plan,
  PlanSubscription,
  PlanCharge,
];

/**
 * Starts the session subgraph: migrations, the consumers of its queues (consumers/), the HTTP server.
 */
export async function startSessionSubgraph(config: Config) {
  const logger = createLogger('session-subgraph', config.logLevel);
  const orm = await createOrm({
    databaseUrl: config.databaseUrl,
    schema: SESSION_SCHEMA,
    entities: sessionEntities,
    migrations,
    logger,
  });
  const asSession = (url: string) =>
    new ServiceClient({ url, keys: config.signing, service: 'session-subgraph' });
  const station = new StationServiceClient(asSession(config.subgraphUrls.station));
  const operatorOf = stationOperatorLookup(station);
  const placements = new PlacementCache(station);
  const users = new UserServiceClient(asSession(config.subgraphUrls.user));
  const metrics = new Metrics('session');
  const settlementQueue = settlementProducer(config, logger, metrics);
  const chain = new ChainReader(config.chain.rpcUrl, config.settlement.network);
  // Request path (remote commands): fails within 500 ms while Redis is away.
  const redis = createRedis(config.redisUrl, logger, { purpose: 'requests', requestPath: true });
  // Live events are published after every stored change, also under load: no command timeout (a busy
  // event loop would fire it with the reply already waiting), but no waiting while Redis is away.
  const publisher = createRedis(config.redisUrl, logger, {
    purpose: 'live event publisher',
    enableOfflineQueue: false,
  });
  const live = new LiveEventBus(
    publisher,
    createRedis(config.redisUrl, logger, { purpose: 'live events' }),
    config.redisPrefix,
    logger,
  );
  const planDeps = {
    users,
    chain,
    queue: settlementQueue,
    currency: config.settlementCurrency,
    domain: async () => ledgerDomain((await chain.load()).deployment),
    logger,
  };
  const settlementsFor = (em: EntityManager) =>
    new SettlementService(em, {
      users,
      queue: settlementQueue,
      currency: config.settlementCurrency,
      logger,
      live,
      domain: async () => ledgerDomain((await chain.load()).deployment),
    });
  const consumers = [
    consumeSessionEvents({
      config,
      orm,
      logger,
      metrics,
      placements,
      settlementsFor,
      live,
      chargingEnded: (chargerId, evseId, from, to) => station.chargingEndedAt(chargerId, evseId, from, to),
    }),
    consumeSettlementOutcomes({ config, orm, logger, metrics, settlementsFor }),
    runSettlementSweeper({ orm, chain, settlementsFor, logger, everyMs: config.settlement.sweepMs }),
    runRefundWatcher({ orm, chain, logger, everyMs: config.settlement.pollMs }),
  ];
  const rollup = new SessionRollup({
    em: () => orm.em.fork() as EntityManager,
    logger,
    pollMs: config.reportRollupMs,
  });
  rollup.start();
  const invoicing = new InvoiceScheduler({
    em: () => orm.em.fork() as EntityManager,
    logger,
    pollMs: config.invoicePollMs,
    afterDays: config.invoiceAfterDays,
  });
  invoicing.start();
  const planBilling = new PlanBilling({
    ...planDeps,
    em: () => orm.em.fork() as EntityManager,
    pollMs: config.planBillingPollMs,
    stuckMs: 15 * 60_000,
  });
  planBilling.start();
  const commands = new ChargerCommandClient(
    redis,
    createRedis(config.redisUrl, logger, { purpose: 'command replies' }),
    config.redisPrefix,
    config.chargerCommandTimeoutMs,
  );
  const { schema } = await buildSessionSchema();
  const server = await startSubgraph<SessionContext>({
    name: 'session',
    downloads: async (req, res, ctx) =>
      (await sessionExportRoute(req, res, ctx)) || (await invoicePdfRoute(req, res, ctx)),
    schema,
    orm,
    signing: config.signing,
    logger,
    host: config.host,
    port: config.ports.session,
    subscriptions: true,
    metrics,
    metricsAt: metricsPlacement(config, 'session'),
    context: (base) => ({
      ...base,
      sessions: new SessionService(base.em, config.defaultCurrency, config.settlement.energyTolerancePct),
      tariffs: new TariffService(base.em, operatorOf),
      commands,
      settlements: settlementsFor(base.em),
      chain,
      chargeGuard: new ChargeGuard(base.em as EntityManager, {
        placements,
        users,
        chain,
        settlementCurrency: config.settlementCurrency,
        holdMinutes: config.settlement.holdMinutes,
        logger,
      }),
      live,
      reportBuckets: bucketFiguresLoader(base.em as EntityManager, base.viewer),
      plans: new PlanService(base.em as EntityManager, planDeps),
      invoices: new InvoiceService(base.em as EntityManager, base.viewer, {
        redis,
        prefix: config.redisPrefix,
      }),
      exportSessions: (from, to, stationId) =>
        issueSessionExport(redis, config.redisPrefix, base.viewer, from, to, stationId),
    }),
  });
  return {
    url: server.url,
    port: server.port,
    close: async () => {
      await server.close();
      await Promise.all(consumers.map((c) => c.close()));
      await rollup.stop();
      await invoicing.stop();
      await planBilling.stop();
      await settlementQueue.close();
      await commands.close();
      live.close();
      redis.disconnect();
      publisher.disconnect();
      await orm.close();
    },
  };
}

await runIfMain(import.meta.url, () => startSessionSubgraph(loadConfig()));
