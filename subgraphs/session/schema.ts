import 'reflect-metadata';
import { buildFederatedSchema } from '../../lib/subgraph.js';
import {
  ChargerSessionsResolver,
  SessionResolver,
  TariffResolver,
  UserSessionsResolver,
} from './resolvers/session.resolver.js';
import { LiveSessionResolver } from './resolvers/live.resolver.js';
import { SettlementResolver } from './resolvers/settlement.resolver.js';
import { Charger, Station, User } from './resolvers/types/session.types.js';

/** The session subgraph's schema; `schema.graphql` beside this file is its committed SDL. */
export function buildSessionSchema() {
  const stub = { __resolveReference: (ref: { id: string }) => ({ id: ref.id }) };
  return buildFederatedSchema(
    {
      resolvers: [
        SessionResolver,
        TariffResolver,
        ChargerSessionsResolver,
        UserSessionsResolver,
        SettlementResolver,
        LiveSessionResolver,
      ],
      orphanedTypes: [Charger, Station, User],
    },
    { Charger: stub, Station: stub, User: stub },
  );
}
