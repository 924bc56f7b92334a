import { OptionalProps, type Rel } from '@mikro-orm/core';
import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { randomUUID } from 'node:crypto';
import { ConnectorType } from '../../../lib/connector-types.js';
import { User } from './user.entity.js';

/** A driver's electric vehicle: what it plugs into and how fast it charges. Energy in Wh, power in W. */
@ObjectType({ description: "A driver's vehicle. Energy in Wh, power in W." })
@Entity({ tableName: 'vehicle' })
export class Vehicle {
  [OptionalProps]?: 'id' | 'maxDcPowerW' | 'createdAt';

  @Field(() => ID, { description: "The vehicle's id." })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Index()
  @ManyToOne(() => User, { deleteRule: 'cascade' })
  owner!: Rel<User>;

  @Field({ description: 'Its make.' })
  @Property({ type: 'text' })
  make!: string;

  @Field({ description: 'Its model.' })
  @Property({ type: 'text' })
  model!: string;

  @Field(() => Int, { description: 'Usable battery capacity, Wh.' })
  @Property({ type: 'integer' })
  batteryWh!: number;

  @Field(() => [ConnectorType], { description: 'The plugs the vehicle takes.' })
  @Enum({ items: () => ConnectorType, array: true })
  connectorTypes!: ConnectorType[];

  @Field(() => Int, { description: 'Highest AC charging power, W.' })
  @Property({ type: 'integer' })
  maxAcPowerW!: number;

  @Field(() => Int, { nullable: true, description: 'Highest DC charging power, W; null: no DC charging.' })
  @Property({ type: 'integer', nullable: true })
  maxDcPowerW: number | null = null;

  @Field({ description: 'When it was added.' })
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
