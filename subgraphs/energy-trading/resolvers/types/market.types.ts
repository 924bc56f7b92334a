import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Connection } from '../../../../lib/pagination.js';
import { Clearing } from '../../entities/clearing.entity.js';

@ObjectType()
export class ClearingConnection extends Connection(Clearing) {}

@ObjectType({ description: 'A community market over a period (clearings that start in it).' })
export class MarketStats {
  @Field(() => Int, { description: 'Intervals cleared.' })
  intervals!: number;

  @Field(() => Float, { description: 'Matched energy, Wh.' })
  volumeWh!: number;

  @Field(() => Float, {
    nullable: true,
    description: 'Volume-weighted clearing price, token units per kWh; null without volume.',
  })
  averagePrice!: number | null;

  @Field(() => Float, { description: 'What buyers pay for the matched energy, token units.' })
  tradedAmount!: number;

  @Field(() => Float, { description: 'Energy delivered per the meters (checked intervals), Wh.' })
  deliveredWh!: number;

  @Field(() => Float, {
    description:
      'What the members’ consumption and bidirectional meters imported, Wh (all intervals in the period).',
  })
  consumedWh!: number;

  @Field(() => Float, {
    nullable: true,
    description:
      'deliveredWh / consumedWh: the share of consumption met by the community’s own energy; null without consumption.',
  })
  selfSufficiency!: number | null;
}

@ObjectType({
  description: 'A trade’s payment on chain: the buyer’s escrow to the seller (or its co-owners).',
})
export class TradeSettlement {
  @Field({ description: 'PENDING (queued), SUBMITTED, CONFIRMED or FAILED.' })
  status!: string;

  @Field(() => String, { nullable: true, description: 'The trade’s record number on chain (TradeSettled).' })
  recordId!: string | null;

  @Field(() => String, { nullable: true, description: 'Hash of the trade’s canonical record.' })
  recordHash!: string | null;

  @Field(() => String, { nullable: true, description: 'The buyer’s wallet.' })
  buyer!: string | null;

  @Field(() => String, { nullable: true, description: 'The seller’s wallet.' })
  seller!: string | null;

  @Field(() => String, { nullable: true })
  txHash!: string | null;

  @Field(() => Int, { nullable: true })
  blockNumber!: number | null;

  @Field(() => Float, { nullable: true, description: 'The platform fee taken on chain, token units.' })
  fee!: number | null;

  @Field(() => String, { nullable: true })
  failureReason!: string | null;
}
