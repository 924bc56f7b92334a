import { stationEntities } from '../subgraphs/station/index.js';
import { RefreshToken } from '../subgraphs/user/entities/refresh-token.entity.js';
import { User } from '../subgraphs/user/entities/user.entity.js';

/** Entities and Postgres schema of each subgraph, for tooling that works on all of them. */
export const entitiesBySubgraph = {
  user: { schema: 'identity', entities: [User, RefreshToken] },
  station: { schema: 'station', entities: stationEntities },
};
