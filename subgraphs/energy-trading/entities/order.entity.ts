import { Enum, Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { OptionalProps } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { randomUUID } from 'node:crypto';
import { OrderSide, OrderStatus } from './enums.js';

/** A bid (BUY) or offer (SELL) for one interval of one community market. */
@ObjectType({ description: 'An order in a community market. Prices in token units per kWh.' })
@Entity({ tableName: 'order' })
export class MarketOrder {
  [OptionalProps]?: 'id' | 'placedAt' | 'state' | 'siteId' | 'status' | 'filledWh';

  @Field(() => ID, { description: "The order's id." })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field(() => ID, { description: 'The community whose market it is in.' })
  @Property({ type: 'uuid' })
  communityId!: string;

  @Field({ description: 'Start of the delivery interval.' })
  @Property({ type: 'timestamptz' })
  intervalStart!: Date;

  @Property({ type: 'uuid' })
  userId!: string;

  @Field(() => ID, { nullable: true, description: 'The selling site (SELL orders).' })
  @Property({ type: 'uuid', nullable: true })
  siteId: string | null = null;

  @Field(() => OrderSide, { description: 'SELL or BUY.' })
  @Enum({ items: () => OrderSide })
  side!: OrderSide;

  @Field(() => Int, { description: 'The energy offered or wanted, in Wh.' })
  @Property({ type: 'integer' })
  energyWh!: number;

  @Field(() => Int, {
    description: 'BUY: the most paid per kWh. SELL: the least kept per kWh after the fee.',
  })
  @Property({ type: 'integer' })
  limitPricePerKwh!: number;

  /** As stored: OPEN until cancelled. What the clearing made of it is derived (`status`). */
  @Property({ type: 'text', fieldName: 'status' })
  state: 'OPEN' | 'CANCELLED' = 'OPEN';

  /** Set by OrderService.withOutcomes before the order is shown (not stored as such). */
  @Field(() => OrderStatus, {
    description:
      'OPEN until its interval is cleared, then FILLED, PARTIALLY_FILLED or UNMATCHED; or CANCELLED.',
  })
  status: OrderStatus = OrderStatus.OPEN;

  @Field(() => Int, { description: 'Energy matched at clearing, Wh (the sum of its trades).' })
  filledWh: number = 0;

  @Field({ description: 'When it was placed.' })
  @Property({ type: 'timestamptz' })
  placedAt: Date = new Date();
}
