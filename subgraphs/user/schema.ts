import 'reflect-metadata';
import { buildFederatedSchema } from '../../lib/subgraph.js';
import type { UserContext } from './context.js';
import { ApiKeyResolver } from './resolvers/api-key.resolver.js';
import { UserApiKeysResolver } from './resolvers/user-api-keys.resolver.js';
import { IdTokenResolver } from './resolvers/id-token.resolver.js';
import { UserIdTokensResolver } from './resolvers/user-id-tokens.resolver.js';
import { UserResolver } from './resolvers/user.resolver.js';
import { AccountResolver } from './resolvers/account.resolver.js';
import { UserVehiclesResolver } from './resolvers/user-vehicles.resolver.js';
import { VehicleResolver } from './resolvers/vehicle.resolver.js';
import { UserWalletsResolver } from './resolvers/user-wallets.resolver.js';
import { WalletResolver } from './resolvers/wallet.resolver.js';

/** The user subgraph's schema; `schema.graphql` beside this file is its committed SDL. */
export function buildUserSchema() {
  return buildFederatedSchema(
    {
      resolvers: [
        UserResolver,
        AccountResolver,
        VehicleResolver,
        UserVehiclesResolver,
        IdTokenResolver,
        UserIdTokensResolver,
        WalletResolver,
        UserWalletsResolver,
        ApiKeyResolver,
        UserApiKeysResolver,
      ],
    },
    {
      User: {
        __resolveReference: (ref: { id: string }, ctx: UserContext) => ctx.userById.load(ref.id),
      },
    },
  );
}
