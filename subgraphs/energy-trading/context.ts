import type pg from 'pg';
import type { Download } from '../../lib/csv-export.js';
import type { ChainReader } from '../../lib/chain/reader.js';
import type { LiveEventBus } from '../../lib/live-events.js';
import type { SubgraphContext } from '../../lib/subgraph.js';
import type { CommunityService } from './services/community.service.js';
import type { OrderService } from './services/order.service.js';
import type { IncomingReading, ReadingOutcome } from './services/readings.js';
import type { SiteService } from './services/site.service.js';

export interface EnergyContext extends SubgraphContext {
  communities: CommunityService;
  sites: SiteService;
  orders: OrderService;
  /** The ORM's Postgres pool, for the time-series queries. */
  pool: pg.Pool;
  /** Both doors' way in for readings (stores them, then tells subscribers). */
  ingest: (readings: IncomingReading[]) => Promise<ReadingOutcome[]>;
  live: LiveEventBus;
  /** A short-lived link to the viewer's trades of from–to, as CSV. */
  exportTrades: (from: Date, to: Date, communityId: string | null) => Promise<Download>;
  /** The settlement contract, read-only (proofs). */
  chain: ChainReader;
}
