import { ReportGranularity } from '../../../../lib/report-granularity.js';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { Connection } from '../../../../lib/pagination.js';
import { Clearing } from '../../entities/clearing.entity.js';

@ObjectType({ description: 'A page of clearings (Relay-style).' })
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

  @Field(() => String, { nullable: true, description: 'The transaction; null until sent.' })
  txHash!: string | null;

  @Field(() => Int, { nullable: true, description: 'The block it was mined in; null until mined.' })
  blockNumber!: number | null;

  @Field(() => Float, { nullable: true, description: 'The platform fee taken on chain, token units.' })
  fee!: number | null;

  @Field(() => String, { nullable: true, description: 'Why it failed; null unless FAILED.' })
  failureReason!: string | null;
}

@ObjectType({
  description: 'One period of a community market report (clearings of intervals that start in it).',
})
export class MarketReportBucket {
  @Field({
    description:
      'An hour (UTC ISO instant), a day YYYY-MM-DD or a month YYYY-MM, in the community’s time zone.',
  })
  period!: string;

  @Field(() => Int, { description: 'Intervals cleared.' })
  intervals!: number;

  @Field(() => Int, { description: 'Of those, intervals whose delivery was checked against the meters.' })
  checkedIntervals!: number;

  @Field(() => Float, { description: 'Matched energy, Wh.' })
  volumeWh!: number;

  @Field(() => Float, { nullable: true, description: 'Volume-weighted clearing price, token units per kWh.' })
  averagePrice!: number | null;

  @Field(() => Float, {
    description: 'What buyers pay for the matched energy, token units (checked intervals).',
  })
  tradedAmount!: number;

  @Field(() => Float, { description: 'Energy delivered per the meters, Wh (checked intervals).' })
  deliveredWh!: number;

  @Field(() => Float, { nullable: true, description: 'Delivered ÷ traded in checked intervals, 0–1.' })
  deliveredShare!: number | null;

  @Field(() => Float, {
    description: 'What the members’ consumption meters imported, Wh (checked intervals).',
  })
  consumedWh!: number;

  @Field(() => Float, {
    nullable: true,
    description: 'deliveredWh / consumedWh: the share of consumption met by the community’s own energy.',
  })
  selfSufficiency!: number | null;
}

@ObjectType({
  description: 'A community market per period, from each interval’s clearing and delivery totals.',
})
export class MarketReport {
  @Field(() => ID, { description: 'The community.' })
  communityId!: string;

  @Field(() => ReportGranularity, { description: 'The size of each bucket.' })
  granularity!: ReportGranularity;

  @Field({ description: 'The first period, as asked.' })
  from!: string;

  @Field({ description: 'The end (exclusive), as asked.' })
  to!: string;

  @Field({ description: 'The community’s time zone, which DAY and MONTH buckets follow.' })
  timezone!: string;

  @Field(() => [MarketReportBucket], {
    description: 'Every period from `from` to `to`, empty ones included.',
  })
  buckets!: MarketReportBucket[];
}
