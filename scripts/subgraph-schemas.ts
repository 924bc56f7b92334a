import type { FederatedSchema } from '../lib/subgraph.js';
import { buildEnergySchema } from '../subgraphs/energy-trading/schema.js';
import { buildSessionSchema } from '../subgraphs/session/schema.js';
import { buildStationSchema } from '../subgraphs/station/schema.js';
import { buildUserSchema } from '../subgraphs/user/schema.js';

/** Each subgraph's schema builder, by the name the gateway knows it by (gateway/subgraphs.ts). */
export const subgraphSchemas: { name: string; dir: string; build: () => Promise<FederatedSchema> }[] = [
  { name: 'user', dir: 'user', build: buildUserSchema },
  { name: 'station', dir: 'station', build: buildStationSchema },
  { name: 'session', dir: 'session', build: buildSessionSchema },
  { name: 'energy', dir: 'energy-trading', build: buildEnergySchema },
];
