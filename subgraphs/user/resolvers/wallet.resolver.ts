import {
  Arg,
  Authorized,
  Ctx,
  Directive,
  Field,
  FieldResolver,
  ID,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { requirePerson, requireService } from '../../../lib/subgraph.js';
import { hasRole, Role } from '../../../lib/auth.js';
import { forbidden } from '../../../lib/errors.js';
import { User } from '../entities/user.entity.js';
import { Wallet } from '../entities/wallet.entity.js';
import type { UserContext } from '../context.js';

@ObjectType({
  description: 'A message for the wallet to sign (EIP-4361 style), valid for one use until it expires.',
})
export class WalletLinkChallenge {
  @Field()
  message!: string;

  @Field()
  expiresAt!: Date;
}

@ObjectType({ description: 'For platform services: the wallet that pays and is paid for an account.' })
@Directive('@inaccessible')
export class PrimaryWallet {
  @Field(() => ID)
  userId!: string;

  @Field()
  address!: string;
}

@Resolver(() => Wallet)
export class WalletResolver {
  @Directive('@inaccessible')
  @Query(() => [PrimaryWallet], {
    description: 'For the session subgraph: the first linked wallet of each account that has one.',
  })
  async primaryWallets(
    @Arg('userIds', () => [ID]) userIds: string[],
    @Ctx() ctx: UserContext,
  ): Promise<PrimaryWallet[]> {
    requireService(ctx.viewer, 'session-subgraph');
    return ctx.wallets.primaryOf(userIds.slice(0, 100));
  }

  @Authorized()
  @Mutation(() => WalletLinkChallenge, { description: 'Step 1 of linking a wallet: the message to sign.' })
  walletLinkChallenge(@Arg('address') address: string, @Ctx() ctx: UserContext) {
    requirePerson(ctx.viewer);
    return ctx.wallets.challenge(ctx.viewer.userId!, address);
  }

  @Authorized()
  @Mutation(() => Wallet, {
    description: 'Step 2: links the wallet if the signature of the challenge recovers it.',
  })
  async linkWallet(
    @Arg('address') address: string,
    @Arg('signature') signature: string,
    @Ctx() ctx: UserContext,
  ) {
    requirePerson(ctx.viewer);
    await ctx.account.requireVerifiedEmail(ctx.viewer, 'linkWallet');
    return ctx.wallets.link(ctx.viewer.userId!, address, signature);
  }
}

@Resolver(() => User)
export class UserWalletsResolver {
  @FieldResolver(() => [Wallet], { description: 'Linked wallets. The account itself, auditors and admins.' })
  wallets(@Root() user: User, @Ctx() ctx: UserContext) {
    if (ctx.viewer.userId !== user.id && !hasRole(ctx.viewer, Role.ADMIN, Role.AUDITOR)) {
      throw forbidden('Only the account itself, auditors and admins see its wallets');
    }
    return ctx.wallets.ofUser(user.id);
  }
}
