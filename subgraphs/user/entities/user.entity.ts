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
  [OptionalProps]?: 'id' | 'roles' | 'emailVerifiedAt' | 'createdAt' | 'updatedAt';

  @Field(() => ID, { description: "The account's id." })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** Stored lower-cased; unique. Exposed through a field resolver that hides it from strangers. */
  @Property({ type: 'text', unique: true })
  email!: string;

  @Property({ type: 'text', hidden: true })
  passwordHash!: string;

  @Field({ description: 'The name others see.' })
  @Property({ type: 'text' })
  displayName!: string;

  @Field(() => [Role], { description: 'What the account may do.' })
  @Enum({ items: () => Role, array: true })
  roles: Role[] = [Role.DRIVER];

  /** When the owner proved the email is theirs (the link of a verification mail); null until then. */
  @Field(() => Date, { nullable: true, description: 'When the email was verified; null until it is.' })
  @Property({ type: 'timestamptz', nullable: true })
  emailVerifiedAt: Date | null = null;

  @Field({ description: 'When it registered.' })
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
