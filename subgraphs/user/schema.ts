import 'reflect-metadata';
import { buildFederatedSchema } from '../../lib/subgraph.js';
import type { UserContext } from './context.js';
import { ApiKeyResolver, UserApiKeysResolver } from './resolvers/api-key.resolver.js';
import { IdTokenResolver, UserIdTokensResolver } from './resolvers/id-token.resolver.js';
import { UserResolver } from './resolvers/user.resolver.js';
import { AccountResolver } from './resolvers/account.resolver.js';
import { UserVehiclesResolver, VehicleResolver } from './resolvers/vehicle.resolver.js';
import { UserWalletsResolver, WalletResolver } from './resolvers/wallet.resolver.js';

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
