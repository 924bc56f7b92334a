import { Directive, Field, Float, ID, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'Revenue in one currency.' })
export class RevenueAmount {
  @Field({ description: 'The currency of the amount.' })
  currency!: string;

  @Field({ description: 'Decimal, e.g. "1234.50": the sum of the sessions’ costs.' })
  amount!: string;
}

/** The station subgraph's report bucket; this subgraph adds its session figures. */
@ObjectType()
@Directive('@key(fields: "id")')
export class ReportBucket {
  @Field(() => ID)
  id!: string;

  @Field(() => Int, { description: 'Completed sessions that started in the period.' })
  sessions!: number;

  @Field(() => Float, { description: 'Energy they delivered, Wh (a whole number).' })
  energyWh!: number;

  @Field(() => [RevenueAmount], { description: 'What they cost, per currency.' })
  revenue!: RevenueAmount[];
}
