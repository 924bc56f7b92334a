import { OptionalProps } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { Field, Float, Int, ObjectType } from 'type-graphql';

/** One sample of a session's time series. A repeated sample (same session and time) is stored once. */
@ObjectType({ description: 'A meter sample during a session.' })
@Entity({ tableName: 'meter_value' })
@Unique({ properties: ['sessionId', 'timestamp'] })
export class MeterValue {
  [OptionalProps]?: 'id' | 'powerW' | 'soc' | 'energyWh';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'uuid' })
  sessionId!: string;

  @Field({ description: 'When the charger sampled it.' })
  @Property({ type: 'timestamptz' })
  timestamp!: Date;

  @Field(() => Int, { nullable: true, description: 'Energy register, Wh.' })
  @Property({ type: 'integer', nullable: true })
  energyWh: number | null = null;

  @Field(() => Float, { nullable: true, description: 'Active power, W.' })
  @Property({ type: 'double', nullable: true })
  powerW: number | null = null;

  @Field(() => Float, { nullable: true, description: 'State of charge, %.' })
  @Property({ type: 'double', nullable: true })
  soc: number | null = null;
}
