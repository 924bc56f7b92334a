import { OptionalProps, type Rel } from '@mikro-orm/core';
import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { randomUUID } from 'node:crypto';
import { Role } from '../../../lib/auth.js';
import { ApiKeyScope } from '../../../lib/scopes.js';
import { User } from './user.entity.js';

/**
 * A partner's API key. It acts as its owner with the owner's roles at the time of the request, within
 * its scopes (lib/scopes.ts), until it expires or is revoked, and is rate-limited per key (its own
 * limits where set). Only the SHA-256 of the key is stored; the key is shown once.
 */
@ObjectType({ description: 'A partner API key (send it as `X-Api-Key`). The key itself is shown only once.' })
@Entity({ tableName: 'api_key' })
export class ApiKey {
  [OptionalProps]?:
    'id' | 'createdAt' | 'revokedAt' | 'expiresAt' | 'rateLimitPerMinute' | 'rateLimitPerHour' | 'lastUsedAt';

  @Field(() => ID, { description: "The key's id (not the secret)." })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field({ description: 'The name it was given.' })
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

  @Field({ description: 'When it was created.' })
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Field(() => Date, { nullable: true, description: 'When it was revoked; null: in force.' })
  @Property({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null = null;

  @Field(() => [ApiKeyScope], { description: 'What the key may do; it is refused everything else.' })
  @Property({ type: 'text[]' })
  scopes!: ApiKeyScope[];

  @Field(() => Date, { nullable: true, description: 'After this the key no longer works; null: no expiry.' })
  @Property({ type: 'timestamptz', nullable: true })
  expiresAt: Date | null = null;

  @Field(() => Int, { nullable: true, description: 'Requests per minute (the platform default when null).' })
  @Property({ type: 'integer', nullable: true })
  rateLimitPerMinute: number | null = null;

  @Field(() => Int, { nullable: true, description: 'Requests per hour (the platform default when null).' })
  @Property({ type: 'integer', nullable: true })
  rateLimitPerHour: number | null = null;

  @Field(() => Date, {
    nullable: true,
    description: 'When the gateway last looked the key up: its last use, to within about a minute.',
  })
  @Property({ type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null = null;
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

  @Field(() => [ApiKeyScope])
  scopes!: ApiKeyScope[];

  @Field(() => Date, { nullable: true })
  expiresAt!: Date | null;

  @Field(() => Int, { nullable: true })
  rateLimitPerMinute!: number | null;

  @Field(() => Int, { nullable: true })
  rateLimitPerHour!: number | null;
}
