import { OptionalProps, type Rel } from '@mikro-orm/core';
import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, ObjectType } from 'type-graphql';
import { randomUUID } from 'node:crypto';
import { User } from './user.entity.js';

/** A wallet its owner proved to control by signing a challenge. A wallet belongs to one account. */
@ObjectType({ description: 'An Ethereum/Polygon wallet linked to an account by a signed challenge.' })
@Entity({ tableName: 'wallet' })
export class Wallet {
  [OptionalProps]?: 'id' | 'linkedAt';

  @Field(() => ID, { description: "The wallet link's id." })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field({ description: 'EIP-55 checksummed address.' })
  @Property({ type: 'text', unique: true })
  address!: string;

  @Index()
  @ManyToOne(() => User, { deleteRule: 'cascade' })
  user!: Rel<User>;

  @Field({ description: 'When it was linked.' })
  @Property({ type: 'timestamptz' })
  linkedAt: Date = new Date();
}
