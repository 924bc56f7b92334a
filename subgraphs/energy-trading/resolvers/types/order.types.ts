import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { OrderSide } from '../../entities/enums.js';

@InputType({ description: 'An order for one interval. Prices in token units per kWh.' })
export class PlaceOrderInput {
  @Field(() => ID, { description: 'The community whose market the order is for.' })
  communityId!: string;

  @Field({ description: 'Start of the delivery interval (a whole interval of the community).' })
  intervalStart!: Date;

  @Field(() => OrderSide, { description: 'SELL (a producing site) or BUY.' })
  side!: OrderSide;

  @Field(() => Int, { description: 'Energy, Wh (1–10,000,000).' })
  energyWh!: number;

  @Field(() => Int, {
    description:
      'BUY: the most you pay per kWh. SELL: the least you keep per kWh after the fee. Within the community’s floor and cap.',
  })
  limitPricePerKwh!: number;

  @Field(() => ID, { nullable: true, description: 'SELL: the selling site, when you have several.' })
  siteId?: string | null;
}

@ObjectType({ description: 'Open orders at one price, summed: whose they are is not shown.' })
export class PriceLevel {
  @Field(() => OrderSide, { description: 'SELL (asks) or BUY (bids).' })
  side!: OrderSide;

  @Field(() => Int, { description: 'The price, in token units per kWh.' })
  pricePerKwh!: number;

  @Field(() => Int, { description: 'The energy at this price, in Wh.' })
  energyWh!: number;

  @Field(() => Int, { description: 'How many orders.' })
  orders!: number;
}
