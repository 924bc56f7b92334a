import type DataLoader from 'dataloader';
import type { SubgraphContext } from '../../lib/subgraph.js';
import type { User } from './entities/user.entity.js';
import type { AccountService } from './services/account.service.js';
import type { ApiKeyService } from './services/api-key.service.js';
import type { AuthService } from './services/auth.service.js';
import type { IdTokenService } from './services/id-token.service.js';
import type { UserService } from './services/user.service.js';
import type { VehicleService } from './services/vehicle.service.js';
import type { WalletService } from './services/wallet.service.js';

export interface UserContext extends SubgraphContext {
  auth: AuthService;
  account: AccountService;
  vehicles: VehicleService;
  users: UserService;
  idTokens: IdTokenService;
  wallets: WalletService;
  apiKeys: ApiKeyService;
  /** Batches the gateway's `_entities` look-ups of users into one query per request. */
  userById: DataLoader<string, User | null>;
}
