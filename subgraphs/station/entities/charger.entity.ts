import { Collection, OptionalProps, type Rel } from '@mikro-orm/core';
import { Entity, Enum, ManyToOne, OneToMany, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { randomUUID } from 'node:crypto';
import { Connector } from './connector.entity.js';
import { ChargerStatus, OcppProtocol } from './enums.js';
import { Station } from './station.entity.js';

/** A charging station's controller as OCPP sees it: one WebSocket identity, one or more EVSEs. */
@ObjectType({ description: 'A charger (OCPP charge point), identified by its OCPP identity.' })
@Directive('@key(fields: "id")')
@Entity({ tableName: 'charger' })
export class Charger {
  [OptionalProps]?:
    | 'id'
    | 'createdAt'
    | 'status'
    | 'statusAt'
    | 'lastSeenAt'
    | 'vendor'
    | 'model'
    | 'serialNumber'
    | 'firmwareVersion'
    | 'protocol'
    | 'firmwareStatus'
    | 'diagnosticsStatus'
    | 'localListVersion'
    | 'connectors';

  @Field(() => ID, { description: "The charger's id." })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field({ description: 'The OCPP identity: the last path segment of the charger’s WebSocket URL.' })
  @Property({ type: 'text', unique: true })
  identity!: string;

  @ManyToOne(() => Station, { deleteRule: 'cascade' })
  station!: Rel<Station>;

  /**
   * SHA-256 of the random Basic-auth password, which is shown once and never stored. The password has
   * 192 bits of entropy, so a fast hash is safe, and the bridge can check it on every reconnect.
   */
  @Property({ type: 'text', hidden: true })
  passwordHash!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Vendor, as the charger reported at boot (or registered).',
  })
  @Property({ type: 'text', nullable: true })
  vendor: string | null = null;

  @Field(() => String, {
    nullable: true,
    description: 'Model, as the charger reported at boot (or registered).',
  })
  @Property({ type: 'text', nullable: true })
  model: string | null = null;

  @Field(() => String, {
    nullable: true,
    description: 'Serial number, as the charger reported at boot (or registered).',
  })
  @Property({ type: 'text', nullable: true })
  serialNumber: string | null = null;

  @Field(() => String, { nullable: true, description: 'Firmware version it reported at its last boot.' })
  @Property({ type: 'text', nullable: true })
  firmwareVersion: string | null = null;

  @Field(() => OcppProtocol, { nullable: true, description: 'Protocol of the last connection.' })
  @Enum({ items: () => OcppProtocol, nullable: true })
  protocol: OcppProtocol | null = null;

  @Field(() => ChargerStatus, {
    description:
      'The charger as a whole, as OCPP 1.6 chargers report it (connector 0). OCPP 2.0.1 chargers report ' +
      'their connectors only, so theirs stays UNKNOWN: see `connectors { status }` and `lastSeenAt`.',
  })
  @Enum({ items: () => ChargerStatus })
  status: ChargerStatus = ChargerStatus.UNKNOWN;

  @Field(() => Date, { nullable: true, description: 'Charger time of the status report now shown.' })
  @Property({ type: 'timestamptz', nullable: true })
  statusAt: Date | null = null;

  /** Stored on boot and status; heartbeats go to Redis only (see the `lastSeenAt` field resolver). */
  @Property({ type: 'timestamptz', nullable: true })
  lastSeenAt: Date | null = null;

  @Field(() => String, { nullable: true, description: 'Last firmware update status reported.' })
  @Property({ type: 'text', nullable: true })
  firmwareStatus: string | null = null;

  @Field(() => String, {
    nullable: true,
    description:
      'Last log upload status reported (1.6 DiagnosticsStatusNotification, 2.0.1 LogStatusNotification).',
  })
  @Property({ type: 'text', nullable: true })
  diagnosticsStatus: string | null = null;

  @Field(() => Int, {
    description:
      'Version of the local authorization list the charger last accepted (syncLocalList); 0: none sent.',
  })
  @Property({ type: 'integer' })
  localListVersion: number = 0;

  @OneToMany(() => Connector, (c) => c.charger, { orderBy: { evseId: 'asc', connectorId: 'asc' } })
  connectors = new Collection<Connector>(this);

  @Field({ description: 'When it was registered.' })
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
