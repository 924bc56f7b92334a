import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { randomUUID } from 'node:crypto';
import { OptionalProps } from '@mikro-orm/core';
import { Role } from '../../../lib/auth.js';

/** A GridLedger account. Email and password identify a person; roles say what they may do. */
@ObjectType({ description: 'A GridLedger account.' })
@Directive('@key(fields: "id")')
@Entity({ tableName: 'user' })
export class User {
  [OptionalProps]?: 'id' | 'roles' | 'failedLogins' | 'lockedUntil' | 'createdAt' | 'updatedAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** Stored lower-cased; unique. Exposed through a field resolver that hides it from strangers. */
  @Property({ type: 'text', unique: true })
  email!: string;

  @Property({ type: 'text', hidden: true })
  passwordHash!: string;

  @Field()
  @Property({ type: 'text' })
  displayName!: string;

  @Field(() => [Role])
  @Enum({ items: () => Role, array: true })
  roles: Role[] = [Role.DRIVER];

  /** Unused since login throttling moved to Redis (LoginThrottle); dropped by a later migration. */
  @Property({ type: 'integer' })
  failedLogins: number = 0;

  @Property({ type: 'timestamptz', nullable: true })
  lockedUntil: Date | null = null;

  @Field()
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
