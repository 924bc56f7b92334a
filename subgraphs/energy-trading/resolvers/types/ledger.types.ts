import { Field, ObjectType } from 'type-graphql';
import { LedgerRecordFields } from '../../../../lib/ledger-graphql.js';

@ObjectType({
  description:
    'A settled energy trade as a ledger record (docs/ledger-format.md: EIP-712 typed data EnergyTrade, bound ' +
    'to the chain and contract), with where the chain has it (TradeSettled).',
})
export class TradeLedgerRecord extends LedgerRecordFields {
  @Field({ description: 'The trade.' })
  tradeId!: string;
}

@ObjectType({ description: 'A page of trade ledger records, in record-number order.' })
export class TradeLedgerPage {
  @Field(() => [TradeLedgerRecord])
  records!: TradeLedgerRecord[];

  @Field(() => String, {
    nullable: true,
    description: 'Pass as `after` for the next page; null on the last page.',
  })
  nextCursor!: string | null;
}
