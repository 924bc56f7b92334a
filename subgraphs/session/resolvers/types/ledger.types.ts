import { Directive, Field, Int, ObjectType } from 'type-graphql';
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

@ObjectType({
  description:
    'The ledger over a period, per record kind: records numbered for settlement, those CONFIRMED, and the sums ' +
    'of their amounts and platform fees in token base units (auditors and admins). Sessions count by their ' +
    'stop time, trades by their market interval.',
})
@Directive('@key(fields: "from to")')
export class LedgerSummary {
  @Field()
  from!: Date;

  @Field()
  to!: Date;

  @Field(() => Int, { description: 'Charging sessions numbered for settlement that stopped in [from, to).' })
  sessionRecords!: number;

  @Field(() => Int)
  sessionsConfirmed!: number;

  @Field({ description: 'Σ amount paid by drivers for the CONFIRMED sessions, token base units.' })
  sessionAmount!: string;

  @Field({ description: 'Σ platform fee of the CONFIRMED sessions, token base units.' })
  sessionFees!: string;
}
