import type DataLoader from 'dataloader';
import type { ChargerCommandClient } from '../../lib/charger-commands.js';
import type { LiveEventBus } from '../../lib/live-events.js';
import type { SubgraphContext } from '../../lib/subgraph.js';
import type { ReservationService } from './services/reservation.service.js';
import type { LocalLists } from './services/local-list.service.js';
import type { MaintenanceService } from './services/maintenance.service.js';
import type { SmartCharging } from './services/smart-charging.service.js';
import type { StationService } from './services/station.service.js';
import type { ReportService } from './services/report.service.js';

export interface StationContext extends SubgraphContext {
  stations: StationService;
  commands: ChargerCommandClient;
  reservations: ReservationService;
  smart: SmartCharging;
  localLists: LocalLists;
  maintenance: MaintenanceService;
  reports: ReportService;
  /** Live events for subscriptions. */
  live: LiveEventBus;
  /** What the user subgraph says of an id token: ACCEPTED, BLOCKED, EXPIRED or INVALID (unknown). */
  idTokenStatus: (token: string) => Promise<{ status: string; userId: string | null }>;
  /** Last time the bridge heard from a charger (Redis, written on heartbeats), by identity. */
  lastSeen: DataLoader<string, Date | null>;
}
