import { OptionalProps } from '@mikro-orm/core';
import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { randomUUID } from 'node:crypto';

/**
 * Why an outage is not the operator's responsibility — the causes the US NEVI uptime rule
 * (23 CFR 680.116(b)(2)) lets an operator exclude. Planned maintenance needs no record: the charger's
 * maintenance windows are excluded as they are.
 */
export enum OutageExclusionReason {
  UTILITY_OUTAGE = 'UTILITY_OUTAGE',
  VEHICLE_FAULT = 'VEHICLE_FAULT',
  VANDALISM = 'VANDALISM',
  NATURAL_DISASTER = 'NATURAL_DISASTER',
  OUTSIDE_OPERATING_HOURS = 'OUTSIDE_OPERATING_HOURS',
  THIRD_PARTY = 'THIRD_PARTY',
}
registerEnumType(OutageExclusionReason, {
  name: 'OutageExclusionReason',
  description:
    'Outages the operator is not responsible for (the NEVI rule’s exclusions): a utility outage, the vehicle’s fault, vandalism, a natural disaster, hours outside the station’s operating hours, a third party’s network or payment processor.',
  valuesConfig: {
    UTILITY_OUTAGE: { description: 'The grid supply failed.' },
    VEHICLE_FAULT: { description: 'A vehicle caused it.' },
    VANDALISM: { description: 'Vandalism or theft.' },
    NATURAL_DISASTER: { description: 'Fire, flood, storm or the like.' },
    OUTSIDE_OPERATING_HOURS: { description: 'Outside the hours the station is open.' },
    THIRD_PARTY: { description: 'Another party outside the operator’s control (e.g. a network failure).' },
  },
});

@ObjectType({
  description:
    'A written-down outage the operator is not responsible for: down time inside it counts as excluded in uptime reports.',
})
@Entity({ tableName: 'outage_exclusion' })
export class OutageExclusion {
  [OptionalProps]?: 'id' | 'createdAt' | 'chargerId' | 'evseId';

  @Field(() => ID, { description: "The exclusion's id." })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field(() => ID, { description: 'The station.' })
  @Property({ type: 'uuid' })
  stationId!: string;

  @Field(() => ID, { nullable: true, description: 'The charger; null: the whole station.' })
  @Property({ type: 'uuid', nullable: true })
  chargerId: string | null = null;

  @Field(() => Int, { nullable: true, description: 'The EVSE; null: the whole charger.' })
  @Property({ type: 'integer', nullable: true })
  evseId: number | null = null;

  @Field({ description: 'When the excluded outage began.' })
  @Property({ type: 'timestamptz' })
  startsAt!: Date;

  @Field({ description: 'When it ended.' })
  @Property({ type: 'timestamptz' })
  endsAt!: Date;

  @Field(() => OutageExclusionReason, { description: 'Why it does not count against uptime.' })
  @Enum({ items: () => OutageExclusionReason })
  reason!: OutageExclusionReason;

  @Field({ description: 'What happened, for the record (an incident or utility ticket, say).' })
  @Property({ type: 'text' })
  note!: string;

  @Field(() => ID, { description: 'The account that recorded it.' })
  @Property({ type: 'uuid' })
  createdBy!: string;

  @Field({ description: 'When it was recorded.' })
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
