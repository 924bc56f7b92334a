import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { hasRole, Role } from '../../../lib/auth.js';
import { conflict, forbidden } from '../../../lib/errors.js';
import { ChargingSession } from '../entities/charging-session.entity.js';
import type { SessionContext } from '../context.js';
import { formatMoney } from '../services/money.js';
import { Escrow, Settlement, SettlementConfig } from './types/settlement.types.js';
import { ARG } from '../../../lib/arg-descriptions.js';

@Resolver(() => ChargingSession)
export class SettlementResolver {
  @Query(() => SettlementConfig, { description: 'The settlement chain and contracts. Public.' })
  async settlementConfig(@Ctx() ctx: SessionContext): Promise<SettlementConfig> {
    const { deployment } = await ctx.chain.load();
    return {
      chainId: deployment.chainId,
      paymentsContract: deployment.paymentsContract,
      token: deployment.token,
      decimals: deployment.tokenDecimals,
    };
  }

  @Authorized()
  @Query(() => Escrow, {
    nullable: true,
    description: 'The signed-in user’s escrow (first linked wallet); null without one.',
  })
  async myEscrow(@Ctx() ctx: SessionContext): Promise<Escrow | null> {
    const wallet = await ctx.settlements.walletOf(ctx.viewer.userId!);
    if (!wallet) return null;
    const e = await ctx.chain.escrowOf(wallet);
    return {
      wallet,
      balance: formatMoney(Number(e.balance)),
      committed: formatMoney(Number(e.committed)),
      available: formatMoney(Number(e.available)),
      recordLimit: formatMoney(Number(e.recordLimit)),
      dayLimit: formatMoney(Number(e.dayLimit)),
      spendableToday: formatMoney(Number(e.spendableToday)),
      limitsLowerAt: e.limitsLowerAt,
    };
  }

  @FieldResolver(() => Settlement, {
    nullable: true,
    description: 'On-chain payment; null when not settled on chain.',
  })
  settlement(@Root() s: ChargingSession): Settlement | null {
    if (!s.settlementRecordId || !s.settlementStatus) return null;
    return {
      status: s.settlementStatus,
      recordId: s.settlementRecordId,
      recordHash: s.settlementRecordHash!,
      payer: s.settlementPayer!,
      payee: s.settlementPayee!,
      amount: formatMoney(s.costMicros ?? 0),
      fee: s.settlementFee == null ? null : formatMoney(Number(s.settlementFee)),
      txHash: s.settlementTxHash,
      blockNumber: s.settlementBlock,
      failureReason: s.settlementFailureReason,
    };
  }

  @Authorized()
  @Mutation(() => ChargingSession, {
    description:
      'Queues a FAILED settlement again, e.g. once the payer has deposited enough or raised its limits: the ' +
      "session's driver, its operator, or an admin. CONFLICT when the settlement is not FAILED. The " +
      'record keeps its number and hash and is never paid twice.',
  })
  async retrySettlement(
    @Arg('sessionId', () => ID, { description: ARG.sessionId }) sessionId: string,
    @Ctx() ctx: SessionContext,
  ) {
    const session = await ctx.sessions.get(sessionId, ctx.viewer);
    const party = session.userId === ctx.viewer.userId || session.operatorId === ctx.viewer.userId;
    if (!party && !hasRole(ctx.viewer, Role.ADMIN))
      throw forbidden("Only the session's driver, its operator or an admin may retry its settlement");
    const retried = await ctx.settlements.retry(session);
    if (!retried)
      throw conflict(`The settlement is ${session.settlementStatus ?? 'not started'}, not FAILED`);
    return retried;
  }
}
