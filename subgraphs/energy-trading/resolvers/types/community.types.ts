import { Field, InputType, Int } from 'type-graphql';

@InputType({ description: 'A new local energy market. Prices in token units per kWh.' })
export class CreateCommunityInput {
  @Field({ description: "The community's name." })
  name!: string;

  @Field({ description: 'IANA time zone, e.g. Europe/Berlin.' })
  timezone!: string;

  @Field(() => Int, {
    nullable: true,
    description: 'Minutes per interval: 5–60 (1–60 outside production), dividing an hour (default 15).',
  })
  intervalMinutes?: number;

  @Field(() => Int, { nullable: true, description: 'Gate closure lead, minutes (default 5).' })
  gateClosureMinutes?: number;

  @Field(() => Int, { description: 'The lowest price an order may ask, in token units per kWh.' })
  priceFloorPerKwh!: number;

  @Field(() => Int, { description: 'The highest price an order may bid, in token units per kWh.' })
  priceCapPerKwh!: number;

  @Field(() => Int, {
    nullable: true,
    description: 'Fee taken from sellers, basis points of what buyers pay (0–2,000; default 0).',
  })
  feeBps?: number;
}
