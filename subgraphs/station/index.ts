import 'reflect-metadata';
import { pathToFileURL } from 'node:url';
import { loadConfig, type Config } from '../../lib/config.js';
import { createOrm } from '../../lib/db.js';
import { createLogger } from '../../lib/logger.js';
import { startSubgraph } from '../../lib/subgraph.js';
import type { StationContext } from './context.js';
import { Charger } from './entities/charger.entity.js';
import { Connector } from './entities/connector.entity.js';
import { Station } from './entities/station.entity.js';
import { migrations } from './migrations/index.js';
import { buildStationSchema } from './schema.js';
import { StationService } from './services/station.service.js';

export const STATION_SCHEMA = 'station';
export const stationEntities = [Station, Charger, Connector];

/** Starts the station subgraph: migrations, then the HTTP server. */
export async function startStationSubgraph(config: Config) {
  const logger = createLogger('station-subgraph', config.logLevel);
  const orm = await createOrm({
    databaseUrl: config.databaseUrl,
    schema: STATION_SCHEMA,
    entities: stationEntities,
    migrations,
    logger,
  });
  const { schema } = await buildStationSchema();
  const server = await startSubgraph<StationContext>({
    name: 'station',
    schema,
    orm,
    internalTokenSecret: config.internalTokenSecret,
    logger,
    host: config.host,
    port: config.ports.station,
    context: (base) => ({ ...base, stations: new StationService(base.em, base.viewer) }),
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

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const running = await startStationSubgraph(loadConfig());
  const stop = () => void running.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
