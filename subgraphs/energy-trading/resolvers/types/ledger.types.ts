import { Directive, Field, Int, ObjectType } from 'type-graphql';
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

/** The session subgraph's ledger summary, to which this subgraph adds the trades. */
@ObjectType()
@Directive('@key(fields: "from to")')
export class LedgerSummary {
  @Field()
  from!: Date;

  @Field()
  to!: Date;
}

@ObjectType({ description: 'Trade totals of a ledger summary.' })
export class TradeLedgerTotals {
  @Field(() => Int, {
    description: 'Energy trades numbered for settlement whose market interval began in [from, to).',
  })
  records!: number;

  @Field(() => Int)
  confirmed!: number;

  @Field({ description: 'Σ gross amount paid by buyers for the CONFIRMED trades, token base units.' })
  amount!: string;

  @Field({ description: 'Σ community fee of the CONFIRMED trades, token base units.' })
  fees!: string;
}
