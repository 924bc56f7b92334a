import { OptionalProps, type Rel } from '@mikro-orm/core';
import { Entity, Enum, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { randomUUID } from 'node:crypto';
import { Charger } from './charger.entity.js';

export enum MaintenanceStatus {
  SCHEDULED = 'SCHEDULED',
  /** Started: the charger (or EVSE) was told Inoperative, or is being told again. */
  ACTIVE = 'ACTIVE',
  /** Ended: the charger was told Operative again (or the window passed while it never started). */
  DONE = 'DONE',
  CANCELLED = 'CANCELLED',
}
registerEnumType(MaintenanceStatus, {
  name: 'MaintenanceStatus',
  description: 'Where a maintenance window stands: scheduled, running, done or cancelled.',
  valuesConfig: {
    SCHEDULED: { description: 'Not started yet.' },
    ACTIVE: { description: 'In progress: the charger was made Inoperative.' },
    DONE: { description: 'Over: the charger was made Operative again.' },
    CANCELLED: { description: 'Cancelled before it ended.' },
  },
});

/**
 * Planned downtime of a charger or one EVSE: at `startsAt` it is set Inoperative (ChangeAvailability),
 * at `endsAt` Operative again; reservations overlapping it are refused. The commands' answers are kept.
 */
@ObjectType({ description: 'Planned downtime of a charger or one of its EVSEs.' })
@Entity({ tableName: 'maintenance_window' })
export class MaintenanceWindow {
  [OptionalProps]?: 'id' | 'evseId' | 'status' | 'startOutcome' | 'endOutcome' | 'attemptedAt' | 'createdAt';

  @Field(() => ID, { description: "The window's id." })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Charger, { deleteRule: 'cascade' })
  charger!: Rel<Charger>;

  @Field(() => Int, { nullable: true, description: 'The EVSE; null: the whole charger.' })
  @Property({ type: 'integer', nullable: true })
  evseId: number | null = null;

  @Field({ description: 'When it starts.' })
  @Property({ type: 'timestamptz' })
  startsAt!: Date;

  @Field({ description: 'When it ends.' })
  @Property({ type: 'timestamptz' })
  endsAt!: Date;

  @Field({ description: 'Why it was scheduled.' })
  @Property({ type: 'text' })
  reason!: string;

  @Field(() => MaintenanceStatus, { description: 'SCHEDULED, ACTIVE, DONE or CANCELLED.' })
  @Enum({ items: () => MaintenanceStatus })
  status: MaintenanceStatus = MaintenanceStatus.SCHEDULED;

  @Field(() => String, {
    nullable: true,
    description:
      'The charger’s answer to Inoperative (Accepted, Scheduled, Rejected) or why it was not reached.',
  })
  @Property({ type: 'text', nullable: true })
  startOutcome: string | null = null;

  @Field(() => String, { nullable: true, description: 'The charger’s answer to Operative at the end.' })
  @Property({ type: 'text', nullable: true })
  endOutcome: string | null = null;

  /** When a command for it was last sent (a failed one is tried again a minute later). */
  @Property({ type: 'timestamptz', nullable: true })
  attemptedAt: Date | null = null;

  @Property({ type: 'uuid' })
  createdBy!: string;

  @Field({ description: 'When it was scheduled.' })
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
