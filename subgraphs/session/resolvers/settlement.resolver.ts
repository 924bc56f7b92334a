import {
  Arg,
  Authorized,
  Ctx,
  Directive,
  Field,
  FieldResolver,
  ID,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { hasRole, Role } from '../../../lib/auth.js';
import { conflict, forbidden } from '../../../lib/errors.js';
import { requireService } from '../../../lib/subgraph.js';
import { ChargingSession } from '../entities/charging-session.entity.js';
import { LIVE_TOPIC, type SessionUpdatedLive } from '../../../lib/live-events.js';
import type { SessionContext } from '../context.js';
import { formatMoney } from '../services/money.js';
import type { SettlementStatus } from '../services/settlement.service.js';

/** Tells `sessionUpdated` subscribers that the session's settlement changed. */
const publishSettlementUpdate = (ctx: SessionContext, session: ChargingSession) =>
  ctx.live.publish<SessionUpdatedLive>(LIVE_TOPIC.sessionUpdated, {
    sessionId: session.id,
    userId: session.userId,
    kind: 'SETTLEMENT',
    at: new Date().toISOString(),
  });

@ObjectType({ description: 'How a session was paid on chain.' })
export class Settlement {
  @Field({ description: 'PENDING (queued), SUBMITTED (sent), CONFIRMED, or FAILED (see failureReason).' })
  status!: string;

  @Field({ description: 'The record number the contract knows the session by.' })
  recordId!: string;

  @Field({ description: 'keccak256 of the canonical record, as in the SessionSettled event.' })
  recordHash!: string;

  @Field()
  payer!: string;

  @Field()
  payee!: string;

  @Field({ description: 'Amount taken from the payer, decimal, in the session currency.' })
  amount!: string;

  @Field(() => String, { nullable: true, description: 'Platform fee out of the amount, once confirmed.' })
  fee!: string | null;

  @Field(() => String, { nullable: true })
  txHash!: string | null;

  @Field(() => Int, { nullable: true })
  blockNumber!: number | null;

  @Field(() => String, { nullable: true })
  failureReason!: string | null;
}

@ObjectType({
  description: 'What a wallet app needs to deposit into escrow and authorize charging payments.',
})
export class SettlementConfig {
  @Field(() => Int)
  chainId!: number;

  @Field()
  paymentsContract!: string;

  @Field({ description: 'The stablecoin (ERC-20 with ERC-2612 permit).' })
  token!: string;

  @Field(() => Int)
  decimals!: number;
}

@ObjectType({
  description: 'A wallet’s escrow in the payments contract, read from the chain (decimal strings).',
})
export class Escrow {
  @Field()
  wallet!: string;

  @Field()
  balance!: string;

  @Field({ description: 'Held for charging already authorized: min(balance, authorized).' })
  committed!: string;

  @Field({ description: 'What the wallet can withdraw now.' })
  available!: string;

  @Field({ description: 'Authorization in force for charging payments.' })
  authorized!: string;
}

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
      authorized: formatMoney(Number(e.authorized)),
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
      'Queues a FAILED settlement again, e.g. once the payer has deposited or authorized enough: the ' +
      "session's driver, its operator, or an admin. CONFLICT when the settlement is not FAILED. The " +
      'record keeps its number and hash and is never paid twice.',
  })
  async retrySettlement(@Arg('sessionId', () => ID) sessionId: string, @Ctx() ctx: SessionContext) {
    const session = await ctx.sessions.get(sessionId, ctx.viewer);
    const party = session.userId === ctx.viewer.userId || session.operatorId === ctx.viewer.userId;
    if (!party && !hasRole(ctx.viewer, Role.ADMIN))
      throw forbidden("Only the session's driver, its operator or an admin may retry its settlement");
    const retried = await ctx.settlements.retry(session);
    if (!retried)
      throw conflict(`The settlement is ${session.settlementStatus ?? 'not started'}, not FAILED`);
    await publishSettlementUpdate(ctx, session);
    return retried;
  }

  @Directive('@inaccessible')
  @Mutation(() => Boolean, { description: 'For the settlement worker only: records a settlement outcome.' })
  async recordSettlement(
    @Arg('sessionId', () => ID) sessionId: string,
    @Arg('status') status: string,
    @Ctx() ctx: SessionContext,
    @Arg('txHash', () => String, { nullable: true }) txHash?: string,
    @Arg('blockNumber', () => Int, { nullable: true }) blockNumber?: number,
    @Arg('fee', () => String, { nullable: true }) fee?: string,
    @Arg('failureReason', () => String, { nullable: true }) failureReason?: string,
  ) {
    requireService(ctx.viewer, 'settlement-worker');
    const session = await ctx.settlements.record(sessionId, {
      status: status as SettlementStatus,
      txHash,
      blockNumber,
      fee,
      failureReason,
    });
    if (!session) return false;
    await publishSettlementUpdate(ctx, session);
    return true;
  }
}
