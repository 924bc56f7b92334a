import { Enum, Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { TradeStatus } from './enums.js';

/**
 * One matched seller–buyer pair of a clearing. Amounts are whole token units (rounding:
 * services/clearing.ts convention 5); `delivered*` are set by the delivery check and are what is
 * payable.
 */
@ObjectType({ description: 'A matched trade between a selling site and a buyer. Amounts in token units.' })
@Entity({ tableName: 'trade' })
export class Trade {
  @Field(() => ID, { description: "The trade's id." })
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Field(() => ID, { description: 'The community whose market matched it.' })
  @Property({ type: 'uuid' })
  communityId!: string;

  @Field({ description: 'The interval it delivers in.' })
  @Property({ type: 'timestamptz' })
  intervalStart!: Date;

  @Property({ type: 'uuid' })
  sellOrderId!: string;

  @Property({ type: 'uuid' })
  buyOrderId!: string;

  @Field(() => ID, { description: 'The selling site.' })
  @Property({ type: 'uuid' })
  sellerSiteId!: string;

  @Property({ type: 'uuid' })
  sellerId!: string;

  @Property({ type: 'uuid' })
  buyerId!: string;

  @Field(() => Int, { description: 'The energy matched, in Wh.' })
  @Property({ type: 'integer' })
  energyWh!: number;

  @Field(() => Int, { description: 'The clearing price, in token units per kWh.' })
  @Property({ type: 'integer' })
  pricePerKwh!: number;

  @Field(() => Float, { description: 'What the buyer pays for the matched energy.' })
  @Property({ type: 'bigint', runtimeType: 'number' })
  grossAmount!: number;

  @Field(() => Float, { description: "The platform's fee on the matched energy." })
  @Property({ type: 'bigint', runtimeType: 'number' })
  fee!: number;

  @Field(() => Float, { description: 'What the seller gets for the matched energy (gross − fee).' })
  @Property({ type: 'bigint', runtimeType: 'number' })
  sellerAmount!: number;

  @Field(() => Int, { nullable: true, description: 'Energy delivered per the meters; null until checked.' })
  @Property({ type: 'integer', nullable: true })
  deliveredWh: number | null = null;

  @Field(() => Float, { nullable: true, description: 'Payable by the buyer: the delivered energy’s gross.' })
  @Property({ type: 'bigint', runtimeType: 'number', nullable: true })
  deliveredGrossAmount: number | null = null;

  @Field(() => Float, {
    nullable: true,
    description: "The platform's fee on the delivered energy; null until checked.",
  })
  @Property({ type: 'bigint', runtimeType: 'number', nullable: true })
  deliveredFee: number | null = null;

  @Field(() => Float, {
    nullable: true,
    description: 'What the seller gets for the delivered energy; null until checked.',
  })
  @Property({ type: 'bigint', runtimeType: 'number', nullable: true })
  deliveredSellerAmount: number | null = null;

  @Field(() => TradeStatus, {
    description: 'MATCHED; after the delivery check DELIVERED, PARTIALLY_DELIVERED or NOT_DELIVERED.',
  })
  @Enum({ items: () => TradeStatus })
  status!: TradeStatus;

  @Field({ description: 'When it was matched.' })
  @Property({ type: 'timestamptz' })
  createdAt!: Date;

  // On-chain settlement (services/trade-settlement.ts); shown through TradeResolver.settlement.
  @Property({ type: 'bigint', nullable: true })
  settlementRecordId: string | null = null;

  @Property({ type: 'text', nullable: true })
  settlementStatus: 'PENDING' | 'SUBMITTED' | 'CONFIRMED' | 'FAILED' | null = null;

  @Property({ type: 'text', nullable: true })
  settlementBuyer: string | null = null;

  @Property({ type: 'text', nullable: true })
  settlementSeller: string | null = null;

  @Property({ type: 'json', nullable: true })
  settlementShares: { owner: string; bps: number }[] | null = null;

  @Property({ type: 'text', nullable: true })
  settlementRecordHash: string | null = null;

  @Property({ type: 'text', nullable: true })
  settlementTxHash: string | null = null;

  @Property({ type: 'integer', nullable: true })
  settlementBlock: number | null = null;

  @Property({ type: 'bigint', runtimeType: 'number', nullable: true })
  settlementFee: number | null = null;

  @Property({ type: 'text', nullable: true })
  settlementFailureReason: string | null = null;
}
