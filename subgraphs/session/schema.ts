import 'reflect-metadata';
import { buildFederatedSchema } from '../../lib/subgraph.js';
import { ChargerSessionsResolver } from './resolvers/charger-sessions.resolver.js';
import { ReceiptResolver, SessionResolver } from './resolvers/session.resolver.js';
import { TariffResolver } from './resolvers/tariff.resolver.js';
import { UserSessionsResolver } from './resolvers/user-sessions.resolver.js';
import { LiveSessionResolver } from './resolvers/live.resolver.js';
import { SettlementResolver } from './resolvers/settlement.resolver.js';
import { LedgerResolver } from './resolvers/ledger.resolver.js';
import { ChargeReadinessResolver } from './resolvers/charge-readiness.resolver.js';
import { Charger } from './entities/charger.reference.js';
import { Station } from './entities/station.reference.js';
import { User } from './entities/user.reference.js';
import { ReportBucket } from './entities/report-bucket.reference.js';
import { InvoiceResolver } from './resolvers/invoice.resolver.js';
import { PlanChargeResolver, PlanResolver, PlanSubscriptionResolver } from './resolvers/plan.resolver.js';
import type { SessionContext } from './context.js';

/** The session subgraph's schema; `schema.graphql` beside this file is its committed SDL. */
export function buildSessionSchema() {
  const stub = { __resolveReference: (ref: { id: string }) => ({ id: ref.id }) };
  return buildFederatedSchema(
    {
      resolvers: [
        SessionResolver,
        ReceiptResolver,
        TariffResolver,
        ChargerSessionsResolver,
        UserSessionsResolver,
        SettlementResolver,
        LedgerResolver,
        LiveSessionResolver,
        ChargeReadinessResolver,
        InvoiceResolver,
        PlanResolver,
        PlanSubscriptionResolver,
        PlanChargeResolver,
      ],
      orphanedTypes: [Charger, Station, User, ReportBucket],
    },
    {
      Charger: stub,
      Station: stub,
      User: stub,
      // A report's buckets come in one batch per request (a year of days: 365 ids, one query).
      ReportBucket: {
        __resolveReference: async (ref: { id: string }, ctx: SessionContext) => ({
          id: ref.id,
          ...(await ctx.reportBuckets.load(ref.id)),
        }),
      },
    },
  );
}
