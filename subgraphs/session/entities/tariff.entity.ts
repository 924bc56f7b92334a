import { BigIntType, OptionalProps } from '@mikro-orm/core';
import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { randomUUID } from 'node:crypto';
import type { TouWindow } from '../services/pricing.js';

/**
 * Prices for charging at a station, or at one EVSE of one charger there (which wins over the
 * station's). Amounts are micro-units of `currency`; clients see decimal strings.
 */
@ObjectType({
  description:
    'Prices for charging. cost = energy (kWh × pricePerKwh) + time (minutes × pricePerMinute, pro rata) + idle ' +
    '(minutes after charging stopped — the connector’s status says when, else the last energy increase — beyond idleGraceMinutes, × idleFeePerMinute) + sessionFee; ' +
    'within a time-of-use window (`windows`, the station’s local time) energy and time cost the window’s prices, and a session that spans windows is priced per window. ' +
    'Each line is rounded to cents (half away from zero), the total being their sum, at most maxSessionCost.',
})
@Entity({ tableName: 'tariff' })
@Index({ properties: ['stationId', 'chargerId', 'evseId'] })
export class Tariff {
  [OptionalProps]?: 'id' | 'chargerId' | 'evseId' | 'createdAt' | 'windows' | 'maxCostMicros';

  @Field(() => ID, { description: "The tariff's id." })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field({ description: "The tariff's name." })
  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'uuid' })
  operatorId!: string;

  @Field(() => ID, { description: 'The station it applies to.' })
  @Property({ type: 'uuid' })
  stationId!: string;

  @Field(() => ID, { nullable: true, description: 'With evseId: the tariff applies to that EVSE only.' })
  @Property({ type: 'uuid', nullable: true })
  chargerId: string | null = null;

  @Field(() => Int, { nullable: true, description: 'The EVSE it applies to; null: the whole station.' })
  @Property({ type: 'integer', nullable: true })
  evseId: number | null = null;

  @Field({ description: 'The currency of its prices.' })
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

  @Field(() => Int, { description: 'Minutes plugged in without charging before the idle fee starts.' })
  @Property({ type: 'integer' })
  idleGraceMinutes!: number;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  /** Time-of-use windows (pricing.ts TouWindow): minutes after local midnight, prices in micro-units. */
  @Property({ type: 'jsonb' })
  windows: TouWindow[] = [];

  /** The most a session costs, micro-units; null: no cap. */
  @Property({ type: new BigIntType('number'), nullable: true })
  maxCostMicros: number | null = null;
}
