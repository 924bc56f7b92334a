import 'reflect-metadata';
import { buildFederatedSchema } from '../../lib/subgraph.js';
import { ClearingResolver } from './resolvers/clearing.resolver.js';
import { CommunityResolver } from './resolvers/community.resolver.js';
import { LiveMarketResolver } from './resolvers/live.resolver.js';
import { OrderResolver } from './resolvers/order.resolver.js';
import { ReadingResolver } from './resolvers/reading.resolver.js';
import { SiteResolver } from './resolvers/site.resolver.js';
import { TradeResolver } from './resolvers/trade.resolver.js';
import { UserEnergyResolver } from './resolvers/user-energy.resolver.js';
import {
  LedgerSummaryTradesResolver,
  ReadingAnchorResolver,
  TradeLedgerResolver,
} from './resolvers/ledger.resolver.js';
import { LedgerSummary } from './resolvers/types/ledger.types.js';

/** The energy-trading subgraph's schema; `schema.graphql` beside this file is its committed SDL. */
export function buildEnergySchema() {
  return buildFederatedSchema(
    {
      resolvers: [
        CommunityResolver,
        SiteResolver,
        ReadingResolver,
        OrderResolver,
        ClearingResolver,
        TradeResolver,
        UserEnergyResolver,
        LiveMarketResolver,
        TradeLedgerResolver,
        LedgerSummaryTradesResolver,
        ReadingAnchorResolver,
      ],
      orphanedTypes: [LedgerSummary],
    },
    {
      // The session subgraph's ledger summary, by its period.
      LedgerSummary: {
        __resolveReference: (ref: { from: string; to: string }) => ({
          from: new Date(ref.from),
          to: new Date(ref.to),
        }),
      },
    },
  );
}
