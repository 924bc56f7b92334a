import { OptionalProps, type Rel } from '@mikro-orm/core';
import { Entity, Enum, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { randomUUID } from 'node:crypto';
import { Charger } from './charger.entity.js';
import { ChargerStatus, ConnectorType } from './enums.js';

/**
 * One plug. OCPP 2.0.1 numbers EVSEs and the connectors within each; a 1.6 connectorId N is stored
 * as EVSE N, connector 1.
 */
@ObjectType({ description: 'A connector (plug) on one EVSE of a charger.' })
@Entity({ tableName: 'connector' })
@Unique({ properties: ['charger', 'evseId', 'connectorId'] })
export class Connector {
  [OptionalProps]?: 'id' | 'status' | 'statusAt' | 'powerLimitW';

  @Field(() => ID, { description: "The connector's id." })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Charger, { deleteRule: 'cascade' })
  charger!: Rel<Charger>;

  @Field(() => Int, { description: 'Its EVSE number on the charger (from 1).' })
  @Property({ type: 'integer' })
  evseId!: number;

  @Field(() => Int, { description: 'Its number on the EVSE (from 1).' })
  @Property({ type: 'integer' })
  connectorId!: number;

  @Field(() => ConnectorType, { description: 'Its plug type.' })
  @Enum({ items: () => ConnectorType })
  type!: ConnectorType;

  @Field(() => Float, { description: 'Its maximum power in kW.' })
  @Property({ type: 'double' })
  maxPowerKw!: number;

  @Field(() => ChargerStatus, { description: 'Its last reported status.' })
  @Enum({ items: () => ChargerStatus })
  status: ChargerStatus = ChargerStatus.UNKNOWN;

  @Field(() => Date, { nullable: true, description: 'When that status was reported.' })
  @Property({ type: 'timestamptz', nullable: true })
  statusAt: Date | null = null;

  @Field(() => Int, {
    nullable: true,
    description:
      'Its share of the station’s power limit, W, as the charger last accepted it (null: no limit sent).',
  })
  @Property({ type: 'integer', nullable: true })
  powerLimitW: number | null = null;
}
