import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({
  description:
    'A settled charging session as a ledger record (docs/ledger-format.md: EIP-712 typed data bound to the ' +
    'chain and contract), with where the chain has it.',
})
export class SessionLedgerRecord {
  @Field({ description: 'The record number the contract knows the session by (SessionSettled.recordId).' })
  recordId!: string;

  @Field({ description: 'The session.' })
  sessionId!: string;

  @Field({ description: 'PENDING, SUBMITTED, CONFIRMED or FAILED.' })
  status!: string;

  @Field({
    description:
      'The record as EIP-712 typed data, JSON text (types, primaryType ChargingSession, domain, message; ' +
      'integers as decimal strings): what eth_signTypedData_v4 tools and ethers’ TypedDataEncoder hash.',
  })
  typedData!: string;

  @Field({
    description: 'The record hash the platform sent to the chain with it (SessionSettled.recordHash).',
  })
  recordHash!: string;

  @Field(() => String, { nullable: true, description: 'The settling transaction, once CONFIRMED.' })
  txHash!: string | null;

  @Field(() => Int, { nullable: true })
  blockNumber!: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Index of the SessionSettled log in its block (settlementProof only; null in lists).',
  })
  logIndex!: number | null;

  @Field(() => Int, {
    nullable: true,
    description:
      'Blocks on top of the settling block, counting it, now (settlementProof only; null in lists).',
  })
  confirmations!: number | null;
}

@ObjectType({ description: 'A page of session ledger records, in record-number order.' })
export class SessionLedgerPage {
  @Field(() => [SessionLedgerRecord])
  records!: SessionLedgerRecord[];

  @Field(() => String, {
    nullable: true,
    description: 'Pass as `after` for the next page; null on the last page.',
  })
  nextCursor!: string | null;
}
