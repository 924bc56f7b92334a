import { BigIntType, OptionalProps } from '@mikro-orm/core';
import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { randomUUID } from 'node:crypto';

/**
 * Prices for charging at a station, or at one EVSE of one charger there (which wins over the
 * station's). Amounts are micro-units of `currency`; clients see decimal strings.
 */
@ObjectType({
  description:
    'Prices for charging. cost = energy (kWh × pricePerKwh) + time (minutes × pricePerMinute, pro rata) + idle ' +
    '(minutes after energy last flowed, beyond idleGraceMinutes, × idleFeePerMinute) + sessionFee; each line ' +
    'rounded to cents (half away from zero), the total being their sum.',
})
@Entity({ tableName: 'tariff' })
@Index({ properties: ['stationId', 'chargerId', 'evseId'] })
export class Tariff {
  [OptionalProps]?: 'id' | 'chargerId' | 'evseId' | 'createdAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field()
  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'uuid' })
  operatorId!: string;

  @Field(() => ID)
  @Property({ type: 'uuid' })
  stationId!: string;

  @Field(() => ID, { nullable: true, description: 'With evseId: the tariff applies to that EVSE only.' })
  @Property({ type: 'uuid', nullable: true })
  chargerId: string | null = null;

  @Field(() => Int, { nullable: true })
  @Property({ type: 'integer', nullable: true })
  evseId: number | null = null;

  @Field()
  @Property({ type: 'text' })
  currency!: string;

  @Property({ type: new BigIntType('number') })
  perKwhMicros!: number;

  @Property({ type: new BigIntType('number') })
  perMinuteMicros!: number;

  @Property({ type: new BigIntType('number') })
  sessionFeeMicros!: number;

  @Property({ type: new BigIntType('number') })
  idleFeePerMinuteMicros!: number;

  @Field(() => Int)
  @Property({ type: 'integer' })
  idleGraceMinutes!: number;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
