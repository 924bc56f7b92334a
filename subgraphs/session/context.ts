import type { ChargerCommandClient } from '../../lib/charger-commands.js';
import type { LiveEventBus } from '../../lib/live-events.js';
import type { SubgraphContext } from '../../lib/subgraph.js';
import type { ChainReader } from '../../lib/chain/reader.js';
import type { ChargeGuard } from './services/charge-guard.js';
import type { SessionService } from './services/session.service.js';
import type { SettlementService } from './services/settlement.service.js';
import type { TariffService } from './services/tariff.service.js';
import type DataLoader from 'dataloader';
import type { SessionFigures } from './services/session-rollup.js';
import type { Download } from './resolvers/types/session.types.js';
import type { InvoiceService } from './services/invoices.js';
import type { PlanService } from './services/plans.js';

export interface SessionContext extends SubgraphContext {
  sessions: SessionService;
  tariffs: TariffService;
  commands: ChargerCommandClient;
  settlements: SettlementService;
  chain: ChainReader;
  /** The escrow check before charging. */
  chargeGuard: ChargeGuard;
  invoices: InvoiceService;
  plans: PlanService;
  /** A short-lived link to the viewer's sessions that started from–to, as CSV. */
  exportSessions: (from: Date, to: Date, stationId: string | null) => Promise<Download>;
  /** Session figures of report buckets, batched per request. */
  reportBuckets: DataLoader<string, SessionFigures>;
  /** Live events for subscriptions. */
  live: LiveEventBus;
}
