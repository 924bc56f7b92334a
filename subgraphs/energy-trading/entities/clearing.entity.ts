import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';

/** The result of one interval's auction (services/clearing.ts); one row per community and interval. */
@ObjectType({ description: 'One interval’s market clearing (uniform price, pay-as-clear).' })
@Entity({ tableName: 'clearing' })
export class Clearing {
  @Field(() => ID, { description: 'The community whose market cleared.' })
  @PrimaryKey({ type: 'uuid' })
  communityId!: string;

  @Field({ description: "The market interval's start." })
  @PrimaryKey({ type: 'timestamptz' })
  intervalStart!: Date;

  @Field(() => Int, { nullable: true, description: 'Token units per kWh; null when nothing matched.' })
  @Property({ type: 'integer', nullable: true })
  pricePerKwh!: number | null;

  @Field(() => Float, { description: 'Matched energy, Wh (an integer).' })
  @Property({ type: 'bigint', runtimeType: 'number' })
  volumeWh!: number;

  @Field(() => Int, { description: 'Orders in the book at gate closure.' })
  @Property({ type: 'integer' })
  orderCount!: number;

  @Field(() => Int, { description: 'How many trades it matched.' })
  @Property({ type: 'integer' })
  tradeCount!: number;

  @Field(() => Int, { description: 'Fee taken from sellers, basis points of the buyer’s payment.' })
  @Property({ type: 'integer' })
  feeBps!: number;

  @Field({ description: 'When it was cleared (after gate closure).' })
  @Property({ type: 'timestamptz' })
  clearedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When delivery was checked against the meters.' })
  @Property({ type: 'timestamptz', nullable: true })
  deliveryCheckedAt: Date | null = null;
}
