import { OptionalProps, type Rel } from '@mikro-orm/core';
import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import { User } from './user.entity.js';

export type AccountTokenPurpose = 'verify-email' | 'reset-password' | 'change-email';

/**
 * A single-use token mailed to an account: to verify its email, reset its password, or confirm a new
 * email (`newEmail`). Only its SHA-256 is stored; it works once, before `expiresAt`.
 */
@Entity({ tableName: 'account_token' })
export class AccountToken {
  [OptionalProps]?: 'id' | 'newEmail' | 'usedAt' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Index()
  @ManyToOne(() => User, { deleteRule: 'cascade' })
  user!: Rel<User>;

  @Property({ type: 'text' })
  purpose!: AccountTokenPurpose;

  @Property({ type: 'text', unique: true })
  tokenHash!: string;

  @Property({ type: 'text', nullable: true })
  newEmail: string | null = null;

  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  usedAt: Date | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
