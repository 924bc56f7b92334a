import type { SubgraphContext } from '../../lib/subgraph.js';
import type { CommunityService } from './services/community.service.js';

export interface EnergyContext extends SubgraphContext {
  communities: CommunityService;
}
