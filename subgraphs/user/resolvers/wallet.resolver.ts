import { Arg, Authorized, Ctx, Directive, ID, Mutation, Query, Resolver } from 'type-graphql';
import { requirePerson, requireService } from '../../../lib/subgraph.js';
import { Wallet } from '../entities/wallet.entity.js';
import type { UserContext } from '../context.js';
import { WalletLinkChallenge, PrimaryWallet } from './types/wallet.types.js';
import { ARG } from '../../../lib/arg-descriptions.js';

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
    requireService(ctx.viewer, 'session-subgraph', 'energy-subgraph');
    return ctx.wallets.primaryOf(userIds.slice(0, 100));
  }

  @Authorized()
  @Mutation(() => WalletLinkChallenge, { description: 'Step 1 of linking a wallet: the message to sign.' })
  walletLinkChallenge(
    @Arg('address', { description: ARG.address }) address: string,
    @Ctx() ctx: UserContext,
  ) {
    requirePerson(ctx.viewer);
    return ctx.wallets.challenge(ctx.viewer.userId!, address);
  }

  @Authorized()
  @Mutation(() => Wallet, {
    description: 'Step 2: links the wallet if the signature of the challenge recovers it.',
  })
  async linkWallet(
    @Arg('address', { description: ARG.address }) address: string,
    @Arg('signature', { description: 'The wallet’s EIP-191 signature of the challenge message (0x…).' })
    signature: string,
    @Ctx() ctx: UserContext,
  ) {
    requirePerson(ctx.viewer);
    await ctx.account.requireVerifiedEmail(ctx.viewer, 'linkWallet');
    return ctx.wallets.link(ctx.viewer.userId!, address, signature);
  }
}
