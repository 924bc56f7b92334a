import 'reflect-metadata';
import { buildFederatedSchema } from '../../lib/subgraph.js';
import { User } from './entities/user.reference.js';
import { ChargerResolver, OperatorStationsResolver, StationResolver } from './resolvers/station.resolver.js';

/** The station subgraph's schema; `schema.graphql` beside this file is its committed SDL. */
export function buildStationSchema() {
  return buildFederatedSchema(
    { resolvers: [StationResolver, ChargerResolver, OperatorStationsResolver], orphanedTypes: [User] },
    { User: { __resolveReference: (ref: { id: string }) => ({ id: ref.id }) } },
  );
}
