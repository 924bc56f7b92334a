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
