import type { SubgraphContext } from '../../lib/subgraph.js';
import type { StationService } from './services/station.service.js';

export interface StationContext extends SubgraphContext {
  stations: StationService;
}
