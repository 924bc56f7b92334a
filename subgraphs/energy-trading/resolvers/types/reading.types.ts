import { Field, Float, Int, InputType, ObjectType } from 'type-graphql';

@InputType({ description: 'A meter’s cumulative registers at a moment, whole Wh.' })
export class MeterReadingInput {
  @Field({ description: 'When the registers were read (the end of the interval they close).' })
  timestamp!: Date;

  @Field(() => Float, { description: 'Energy drawn from the grid so far, Wh (an integer).' })
  importWh!: number;

  @Field(() => Float, { description: 'Energy fed in (or produced) so far, Wh (an integer).' })
  exportWh!: number;
}

@ObjectType({ description: 'A reading that was not stored, and why.' })
export class RejectedReading {
  @Field(() => Int, { description: 'Its position in the submitted list.' })
  index!: number;

  @Field(() => String, {
    nullable: true,
    description: 'The reading’s timestamp as sent; null when it had none.',
  })
  timestamp!: string | null;

  @Field({ description: 'Why it was refused.' })
  reason!: string;
}

@ObjectType({ description: 'What became of a batch of readings.' })
export class ReadingsReceipt {
  @Field(() => Int, { description: 'How many readings were stored.' })
  accepted!: number;

  @Field(() => Int, { description: 'Already stored with the same registers: nothing changed.' })
  duplicates!: number;

  @Field(() => Int, {
    description: 'Accepted ones for intervals whose delivery was checked already: stored, flagged late.',
  })
  late!: number;

  @Field(() => [RejectedReading], { description: 'The readings refused, each with its reason.' })
  rejected!: RejectedReading[];
}

@ObjectType({
  description:
    'RAW: the registers at `at`. INTERVAL, HOUR, DAY: the energy of the period starting at `at` (register deltas).',
})
export class ReadingPoint {
  @Field({ description: 'The reading’s time, or the start of the period.' })
  at!: Date;

  @Field(() => Float, { description: 'Energy taken from the grid, in Wh.' })
  importWh!: number;

  @Field(() => Float, { description: 'Energy fed into the grid, in Wh.' })
  exportWh!: number;

  @Field({ description: 'RAW only: arrived after the interval’s delivery check.' })
  late!: boolean;
}

@ObjectType({ description: 'Readings of a meter were stored.' })
export class MeterReadingsEvent {
  @Field({ description: 'The meter.' })
  meterId!: string;

  @Field(() => Int, { description: 'How many readings were stored.' })
  accepted!: number;

  @Field({ description: 'The latest timestamp among them.' })
  latest!: Date;
}
