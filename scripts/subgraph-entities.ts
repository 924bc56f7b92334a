import { sessionEntities } from '../subgraphs/session/index.js';
import { stationEntities } from '../subgraphs/station/index.js';
import { userEntities } from '../subgraphs/user/index.js';

/** Entities and Postgres schema of each subgraph, for tooling that works on all of them. */
export const entitiesBySubgraph = {
  user: { schema: 'identity', entities: userEntities },
  station: { schema: 'station', entities: stationEntities },
  session: { schema: 'session', entities: sessionEntities },
};
