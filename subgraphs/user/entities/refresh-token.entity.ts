import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import { OptionalProps, type Rel } from '@mikro-orm/core';
import { User } from './user.entity.js';

/**
 * One refresh token. Only its SHA-256 is stored. Tokens rotate: using one replaces it with the next
 * in the same family; presenting a token that was already replaced revokes the whole family (the
 * token was stolen, or replayed).
 */
@Entity({ tableName: 'refresh_token' })
@Index({ properties: ['family'] })
export class RefreshToken {
  [OptionalProps]?: 'id' | 'replacedAt' | 'revokedAt' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => User, { deleteRule: 'cascade' })
  user!: Rel<User>;

  @Property({ type: 'text', unique: true })
  tokenHash!: string;

  /** The login this token descends from; also the `sid` claim of the access tokens issued with it. */
  @Property({ type: 'uuid' })
  family!: string;

  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  replacedAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
