import 'reflect-metadata';
import { loadConfig, metricsPlacement, type Config } from '../../lib/config.js';
import { createOrm } from '../../lib/db.js';
import { createLogger } from '../../lib/logger.js';
import { runIfMain } from '../../lib/main.js';
import { Metrics } from '../../lib/metrics.js';
import { startSubgraph } from '../../lib/subgraph.js';
import type { EnergyContext } from './context.js';
import { Community } from './entities/community.entity.js';
import { migrations } from './migrations/index.js';
import { buildEnergySchema } from './schema.js';
import { CommunityService } from './services/community.service.js';

export const MARKET_SCHEMA = 'market';
export const energyEntities = [Community];

/**
 * Starts the energy-trading subgraph: the community energy markets (issue 14 builds them out:
 * sites, meters, readings, orders, clearing). Migrations, then the HTTP server.
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
  const { schema } = await buildEnergySchema();
  const server = await startSubgraph<EnergyContext>({
    name: 'energy',
    schema,
    orm,
    signing: config.signing,
    logger,
    host: config.host,
    port: config.ports.energy,
    metrics: new Metrics('energy'),
    metricsAt: metricsPlacement(config, 'energy'),
    context: (base) => ({ ...base, communities: new CommunityService(base.em, base.viewer) }),
  });
  return {
    url: server.url,
    port: server.port,
    close: async () => {
      await server.close();
      await orm.close();
    },
  };
}

await runIfMain(import.meta.url, () => startEnergySubgraph(loadConfig()));
