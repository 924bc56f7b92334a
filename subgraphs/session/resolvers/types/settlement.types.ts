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

  @Field()
  payer!: string;

  @Field()
  payee!: string;

  @Field({ description: 'Amount taken from the payer, decimal, in the session’s (plan’s) currency.' })
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
  description:
    'What a wallet app needs to deposit into escrow and set its spending limits (charging and energy trades).',
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
  @Field()
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
