import { Enum, Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { OptionalProps } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { randomUUID } from 'node:crypto';
import { MeterKind } from './enums.js';

/**
 * A meter on a site. It authenticates with a device key that is shown once (`registerMeter`,
 * `rotateMeterKey`); only the key's SHA-256 is stored (services/device-keys.ts).
 */
@ObjectType({ description: 'An energy meter on a site.' })
@Entity({ tableName: 'meter' })
export class Meter {
  [OptionalProps]?: 'id' | 'createdAt' | 'keyRotatedAt';

  @Field(() => ID, { description: "The meter's id." })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field(() => ID, { description: 'The site it measures.' })
  @Property({ type: 'uuid' })
  siteId!: string;

  @Field(() => MeterKind, { description: 'What it measures.' })
  @Enum({ items: () => MeterKind })
  kind!: MeterKind;

  @Field({ description: 'Its serial number.' })
  @Property({ type: 'text' })
  serial!: string;

  @Property({ type: 'text', hidden: true })
  keyHash!: string;

  @Field({ description: 'When the current device key was issued.' })
  @Property({ type: 'timestamptz' })
  keyRotatedAt: Date = new Date();

  @Field({ description: 'When it was registered.' })
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
