import type { Config } from '../lib/config.js';
import type { FederatedSchema } from '../lib/subgraph.js';
import { buildSessionSchema } from '../subgraphs/session/schema.js';
import { buildStationSchema } from '../subgraphs/station/schema.js';
import { buildUserSchema } from '../subgraphs/user/schema.js';

/** The subgraphs composed into the supergraph; their names are the supergraph's `join__Graph` names. */
export const subgraphs: {
  name: string;
  dir: string;
  build: () => Promise<FederatedSchema>;
  url: (config: Config) => string;
}[] = [
  { name: 'user', dir: 'user', build: buildUserSchema, url: (c) => c.subgraphUrls.user },
  { name: 'station', dir: 'station', build: buildStationSchema, url: (c) => c.subgraphUrls.station },
  { name: 'session', dir: 'session', build: buildSessionSchema, url: (c) => c.subgraphUrls.session },
];
