import 'reflect-metadata';
import { buildFederatedSchema } from '../../lib/subgraph.js';
import { CommunityResolver } from './resolvers/community.resolver.js';

/** The energy-trading subgraph's schema; `schema.graphql` beside this file is its committed SDL. */
export function buildEnergySchema() {
  return buildFederatedSchema({ resolvers: [CommunityResolver] });
}
