import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { OptionalProps } from '@mikro-orm/core';

/** A member of a community market: may place buy orders there (and sell from their sites). */
@Entity({ tableName: 'membership' })
export class Membership {
  [OptionalProps]?: 'joinedAt';

  @PrimaryKey({ type: 'uuid' })
  communityId!: string;

  @PrimaryKey({ type: 'uuid' })
  userId!: string;

  @Property({ type: 'timestamptz' })
  joinedAt: Date = new Date();
}
