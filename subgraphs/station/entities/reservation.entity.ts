import { OptionalProps, type Rel } from '@mikro-orm/core';
import { Entity, Enum, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { randomUUID } from 'node:crypto';
import { Charger } from './charger.entity.js';

export enum ReservationStatus {
  /** Asked of the charger, no answer yet. */
  PENDING = 'PENDING',
  /** The charger holds the EVSE for the driver's token until `expiresAt`. */
  ACTIVE = 'ACTIVE',
  /** A session started on it. */
  USED = 'USED',
  CANCELLED = 'CANCELLED',
  EXPIRED = 'EXPIRED',
  /** The charger refused it (`chargerAnswer`: Occupied, Faulted, Unavailable, Rejected). */
  REJECTED = 'REJECTED',
}
registerEnumType(ReservationStatus, {
  name: 'ReservationStatus',
  description: 'Where a reservation stands.',
  valuesConfig: {
    PENDING: { description: 'Sent to the charger; no answer yet.' },
    ACTIVE: { description: 'Accepted by the charger and in force.' },
    USED: { description: 'A session started on it.' },
    CANCELLED: { description: 'Cancelled.' },
    EXPIRED: { description: 'Lapsed unused.' },
    REJECTED: { description: 'The charger refused it.' },
  },
});

/**
 * An EVSE held for a driver (OCPP ReserveNow). At most one PENDING or ACTIVE reservation per EVSE (a
 * partial unique index); `ocppId` is the integer id both OCPP versions use for it.
 */
@ObjectType({ description: 'An EVSE held for a driver until it expires, is used or is cancelled.' })
@Entity({ tableName: 'reservation' })
export class Reservation {
  [OptionalProps]?: 'id' | 'status' | 'chargerAnswer' | 'transactionId' | 'createdAt' | 'updatedAt';

  @Field(() => ID, { description: "The reservation's id." })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'integer', unique: true })
  ocppId!: number;

  @ManyToOne(() => Charger, { deleteRule: 'cascade' })
  charger!: Rel<Charger>;

  @Field(() => Int, { description: 'The EVSE reserved.' })
  @Property({ type: 'integer' })
  evseId!: number;

  /** The driver it is for. */
  @Property({ type: 'uuid' })
  userId!: string;

  @Field({ description: 'The id token the charger holds the EVSE for.' })
  @Property({ type: 'text' })
  idToken!: string;

  @Field({ description: 'When it lapses if unused.' })
  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  @Enum({ items: () => ReservationStatus })
  status: ReservationStatus = ReservationStatus.PENDING;

  @Field(() => String, { nullable: true, description: 'The charger’s answer when it refused (REJECTED).' })
  @Property({ type: 'text', nullable: true })
  chargerAnswer: string | null = null;

  @Field(() => String, { nullable: true, description: 'The transaction that used it (USED).' })
  @Property({ type: 'text', nullable: true })
  transactionId: string | null = null;

  @Field({ description: 'When it was made.' })
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();

  /** ACTIVE past its expiry reads EXPIRED (the charger lets it go by itself). */
  statusAt(now: Date): ReservationStatus {
    return this.status === ReservationStatus.ACTIVE && this.expiresAt <= now
      ? ReservationStatus.EXPIRED
      : this.status;
  }
}
