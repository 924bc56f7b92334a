import { OptionalProps, type Rel } from '@mikro-orm/core';
import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { randomUUID } from 'node:crypto';
import { Charger } from './charger.entity.js';

export enum ChargerAlertKind {
  /** A status report for a connector or EVSE the charger was not registered with. */
  UNKNOWN_CONNECTOR = 'UNKNOWN_CONNECTOR',
  /** An OCPP 2.0.1 SecurityEventNotification (failed logins, firmware changes, tamper, …). */
  SECURITY_EVENT = 'SECURITY_EVENT',
}
registerEnumType(ChargerAlertKind, {
  name: 'ChargerAlertKind',
  description: 'What a charger said that its operator should look at.',
  valuesConfig: {
    UNKNOWN_CONNECTOR: { description: 'A status or fault for a connector the platform does not know.' },
    SECURITY_EVENT: {
      description: 'A security event the charger reported (2.0.1 SecurityEventNotification).',
    },
  },
});

/**
 * Something a charger reported that fits nowhere else and must not be lost: a fault on a connector the
 * platform does not know, a security event. Stored once per report (`dedupeKey`: a redelivered event
 * adds nothing), shown on the charger and published to `chargerAlertRaised`.
 */
@ObjectType({ description: 'Something a charger reported that its operator should look at.' })
@Entity({ tableName: 'charger_alert' })
@Index({ properties: ['charger', 'at'] })
export class ChargerAlert {
  [OptionalProps]?:
    | 'id'
    | 'evseId'
    | 'connectorId'
    | 'status'
    | 'errorCode'
    | 'acknowledgedAt'
    | 'acknowledgedBy'
    | 'createdAt';

  @Field(() => ID, { description: "The alert's id." })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Charger, { deleteRule: 'cascade' })
  charger!: Rel<Charger>;

  @Field(() => ChargerAlertKind, { description: 'What happened.' })
  @Enum({ items: () => ChargerAlertKind })
  kind!: ChargerAlertKind;

  @Field(() => Int, { nullable: true, description: 'The EVSE (1.6: connector) the report named.' })
  @Property({ type: 'integer', nullable: true })
  evseId: number | null = null;

  @Field(() => Int, { nullable: true, description: 'The connector it concerns; null: the whole charger.' })
  @Property({ type: 'integer', nullable: true })
  connectorId: number | null = null;

  @Field(() => String, { nullable: true, description: 'The status reported (UNKNOWN_CONNECTOR).' })
  @Property({ type: 'text', nullable: true })
  status: string | null = null;

  @Field(() => String, {
    nullable: true,
    description: 'The OCPP error code (1.6) or security event type (2.0.1), as the charger sent it.',
  })
  @Property({ type: 'text', nullable: true })
  errorCode: string | null = null;

  @Field({ description: 'What happened, for people.' })
  @Property({ type: 'text' })
  message!: string;

  @Field({ description: 'When, by the charger’s clock.' })
  @Property({ type: 'timestamptz' })
  at!: Date;

  @Property({ type: 'text', unique: true, hidden: true })
  dedupeKey!: string;

  @Field(() => Date, {
    nullable: true,
    description: 'When an operator acknowledged it (acknowledgeChargerAlert).',
  })
  @Property({ type: 'timestamptz', nullable: true })
  acknowledgedAt: Date | null = null;

  @Property({ type: 'uuid', nullable: true })
  acknowledgedBy: string | null = null;

  @Field({ description: 'When it was raised.' })
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
