import { Field, ObjectType } from 'type-graphql';
import { LedgerRecordFields } from '../../../../lib/ledger-graphql.js';

@ObjectType({
  description:
    'A settled charging session as a ledger record (docs/ledger-format.md: EIP-712 typed data ChargingSession, ' +
    'bound to the chain and contract), with where the chain has it (SessionSettled).',
})
export class SessionLedgerRecord extends LedgerRecordFields {
  @Field({ description: 'The session.' })
  sessionId!: string;
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
