import { OptionalProps, type Rel } from '@mikro-orm/core';
import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { randomUUID } from 'node:crypto';
import { Role } from '../../../lib/auth.js';
import { User } from './user.entity.js';

/**
 * A partner's API key. It acts as its owner with the owner's roles at the time of the request, and
 * is rate-limited per key. Only the SHA-256 of the key is stored; the key is shown once.
 */
@ObjectType({ description: 'A partner API key (send it as `X-Api-Key`). The key itself is shown only once.' })
@Entity({ tableName: 'api_key' })
export class ApiKey {
  [OptionalProps]?: 'id' | 'createdAt' | 'revokedAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field()
  @Property({ type: 'text' })
  name!: string;

  @Field({ description: 'The first characters of the key, to tell keys apart.' })
  @Property({ type: 'text' })
  prefix!: string;

  @Property({ type: 'text', unique: true })
  keyHash!: string;

  @Index()
  @ManyToOne(() => User, { deleteRule: 'cascade' })
  owner!: Rel<User>;

  @Field()
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null = null;
}

/** What the gateway learns from a key: whom it acts as. Not part of the public API. */
@ObjectType()
@Directive('@inaccessible')
export class ApiKeyIdentity {
  @Field(() => ID)
  keyId!: string;

  @Field(() => ID)
  userId!: string;

  @Field(() => [Role])
  roles!: Role[];
}
