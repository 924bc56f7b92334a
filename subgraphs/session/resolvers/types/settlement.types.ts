import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'How a session (or a plan fee) was paid on chain.' })
export class Settlement {
  @Field({ description: 'PENDING (queued), SUBMITTED (sent), CONFIRMED, or FAILED (see failureReason).' })
  status!: string;

  @Field({
    description: 'The record number the contract knows it by (sessions and plan fees are numbered apart).',
  })
  recordId!: string;

  @Field({
    description: 'The EIP-712 hash of the canonical record, as in its SessionSettled (PlanFeeSettled) event.',
  })
  recordHash!: string;

  @Field({ description: "The payer's wallet address." })
  payer!: string;

  @Field({ description: "The payee's wallet address." })
  payee!: string;

  @Field({ description: 'Amount taken from the payer, decimal, in the session’s (plan’s) currency.' })
  amount!: string;

  @Field(() => String, { nullable: true, description: 'Platform fee out of the amount, once confirmed.' })
  fee!: string | null;

  @Field(() => String, { nullable: true, description: 'The transaction; null until sent.' })
  txHash!: string | null;

  @Field(() => Int, { nullable: true, description: 'The block it was mined in; null until mined.' })
  blockNumber!: number | null;

  @Field(() => String, { nullable: true, description: 'Why it failed; null unless FAILED.' })
  failureReason!: string | null;
}

@ObjectType({
  description:
    'What a wallet app needs to deposit into escrow and set its spending limits (charging and energy trades).',
})
export class SettlementConfig {
  @Field(() => Int, { description: 'The chain the contracts are on.' })
  chainId!: number;

  @Field({ description: "The PaymentLedger contract's address." })
  paymentsContract!: string;

  @Field({ description: 'The stablecoin (ERC-20 with ERC-2612 permit).' })
  token!: string;

  @Field(() => Int, { description: "The settlement token's decimals." })
  decimals!: number;
}

@ObjectType({
  description: 'A wallet’s escrow in the payments contract, read from the chain (decimal strings).',
})
export class Escrow {
  @Field({ description: "The wallet's address." })
  wallet!: string;

  @Field({ description: 'What it holds in escrow, a decimal in the settlement currency.' })
  balance!: string;

  @Field({
    description: 'What may still be settled from it, so cannot be withdrawn: min(balance, dayLimit).',
  })
  committed!: string;

  @Field({ description: 'What the wallet can withdraw now.' })
  available!: string;

  @Field({ description: 'The most one settled record (session or trade) may take, set by the wallet.' })
  recordLimit!: string;

  @Field({ description: 'The most that may be settled from it per UTC day, set by the wallet.' })
  dayLimit!: string;

  @Field({ description: 'What may still be settled today: min(balance, dayLimit − settled today).' })
  spendableToday!: string;

  @Field(() => Date, {
    nullable: true,
    description:
      'When lowered limits the wallet set take effect (a lowering waits a day); null: none waiting.',
  })
  limitsLowerAt!: Date | null;
}

@ObjectType({
  description:
    'Whether a driver may start charging at a charger now: at stations paid on chain, their escrow must cover a minimum hold.',
})
export class ChargeReadiness {
  @Field({ description: 'Whether a session may start now.' })
  allowed!: boolean;

  @Field(() => String, {
    nullable: true,
    description:
      'Why not: NO_WALLET, INSUFFICIENT_ESCROW, RECORD_LIMIT_TOO_LOW, UNKNOWN_EVSE (the charger has no such EVSE) or EVSE_BUSY (a session is in progress on it); null when allowed.',
  })
  reason!: string | null;

  @Field(() => String, { nullable: true, description: 'The reason, for people.' })
  message!: string | null;

  @Field({ description: 'The hold a session here needs (0.00 where nothing is settled on chain).' })
  hold!: string;

  @Field(() => String, {
    nullable: true,
    description:
      'What the wallet can pay today after other sessions’ holds and unpaid costs; null when not asked.',
  })
  free!: string | null;
}
