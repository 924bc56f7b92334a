import { Directive, Field, Int, ObjectType } from 'type-graphql';
import { LedgerPage, LedgerRecordFields } from '../../../../lib/ledger-graphql.js';

@ObjectType({
  description:
    'A settled energy trade as a ledger record (docs/ledger-format.md: EIP-712 typed data EnergyTrade, bound ' +
    'to the chain and contract), with where the chain has it (TradeSettled).',
})
export class TradeLedgerRecord extends LedgerRecordFields {
  @Field({ description: 'The trade.' })
  tradeId!: string;

  @Field({
    description:
      'What the platform holds the buyer paid for the delivered energy (its stored gross), token base units: ' +
      'the contract computes it from the record, and the event carries it.',
  })
  amount!: string;
}

export const TradeLedgerPage = LedgerPage(TradeLedgerRecord, 'TradeLedgerPage', 'trade ledger records');
export type TradeLedgerPage = InstanceType<typeof TradeLedgerPage>;

/** The session subgraph's ledger summary, to which this subgraph adds the trades. */
@ObjectType()
@Directive('@key(fields: "from to")')
export class LedgerSummary {
  @Field({ description: 'Start of the range summed (inclusive).' })
  from!: Date;

  @Field({ description: 'End of the range summed (exclusive).' })
  to!: Date;
}

@ObjectType({ description: 'Trade totals of a ledger summary.' })
export class TradeLedgerTotals {
  @Field(() => Int, {
    description: 'Energy trades numbered for settlement whose market interval began in [from, to).',
  })
  records!: number;

  @Field(() => Int, { description: 'Of those, confirmed on chain.' })
  confirmed!: number;

  @Field({ description: 'Σ gross amount paid by buyers for the CONFIRMED trades, token base units.' })
  amount!: string;

  @Field({ description: 'Σ community fee of the CONFIRMED trades, token base units.' })
  fees!: string;
}

@ObjectType({
  description:
    'A community interval’s meter readings as anchored on chain (ReadingsAnchored): the root of the standard ' +
    'Merkle tree of its leaves (docs/ledger-format.md), and where the chain has it.',
})
export class ReadingAnchor {
  @Field({ description: 'The community.' })
  communityId!: string;

  @Field({ description: 'The interval whose readings the root commits to.' })
  intervalStart!: Date;

  @Field({ description: 'The root sent to the chain.' })
  root!: string;

  @Field(() => Int, { description: 'How many readings are in the tree.' })
  leafCount!: number;

  @Field({ description: 'PENDING, SUBMITTED, CONFIRMED or FAILED.' })
  status!: string;

  @Field(() => String, {
    nullable: true,
    description: 'The transaction that anchored the root; null until sent.',
  })
  txHash!: string | null;

  @Field(() => Int, { nullable: true, description: 'The block it was mined in; null until mined.' })
  blockNumber!: number | null;

  @Field({
    description:
      'The leaves as stored now, JSON text: [meterId, intervalStart (Unix s), importWh, exportWh] per meter, ' +
      'by meter id. Their tree’s root must be `root` and the chain’s.',
  })
  leaves!: string;
}

@ObjectType({ description: 'A page of reading anchors, oldest interval first.' })
export class ReadingAnchorPage {
  @Field(() => [ReadingAnchor], { description: 'The anchors, oldest first.' })
  anchors!: ReadingAnchor[];

  @Field(() => String, {
    nullable: true,
    description: 'Pass as `after` for the next page; null on the last page.',
  })
  nextCursor!: string | null;
}

@ObjectType({ description: 'One meter reading of an anchored interval, with its Merkle proof.' })
export class ReadingProof {
  @Field(() => [String], { description: '[meterId, intervalStart (Unix s), importWh, exportWh], as a leaf.' })
  leaf!: string[];

  @Field(() => [String], { description: 'The standard Merkle tree proof of the leaf (OpenZeppelin).' })
  proof!: string[];

  @Field({ description: 'The root of the interval’s leaves as stored now.' })
  root!: string;

  @Field(() => ReadingAnchor, {
    nullable: true,
    description: 'The interval’s anchor; null when not anchored.',
  })
  anchor!: ReadingAnchor | null;
}
