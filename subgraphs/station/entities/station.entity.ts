import { Collection, OptionalProps } from '@mikro-orm/core';
import { Entity, Index, OneToMany, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Directive, Field, Float, ID, ObjectType } from 'type-graphql';
import { randomUUID } from 'node:crypto';
import { Charger } from './charger.entity.js';

@ObjectType({ description: 'A point on the map (WGS 84 degrees).' })
export class GeoPoint {
  @Field(() => Float, { description: 'Latitude in degrees.' })
  lat!: number;

  @Field(() => Float, { description: 'Longitude in degrees.' })
  lng!: number;
}

/** A charging site run by one operator. */
@ObjectType({ description: 'A charging site run by one operator.' })
@Directive('@key(fields: "id")')
@Entity({ tableName: 'station' })
@Index({ properties: ['latitude', 'longitude'] })
export class Station {
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt' | 'chargers' | 'powerLimitKw';

  @Field(() => ID, { description: "The station's id." })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field({ description: "The station's name." })
  @Property({ type: 'text' })
  name!: string;

  @Field({ description: 'Its postal address.' })
  @Property({ type: 'text' })
  address!: string;

  @Property({ type: 'double' })
  latitude!: number;

  @Property({ type: 'double' })
  longitude!: number;

  /** The operating account, owned by the user subgraph. */
  @Index()
  @Property({ type: 'uuid' })
  operatorId!: string;

  @Field({ description: 'IANA time zone of the site, e.g. Europe/Berlin.' })
  @Property({ type: 'text' })
  timezone!: string;

  @Field(() => Float, {
    nullable: true,
    description:
      'The most power the station’s chargers may draw together, kW (setStationPowerLimit): shared among its EVSEs through charging profiles. Null: no limit.',
  })
  @Property({ type: 'double', nullable: true })
  powerLimitKw: number | null = null;

  @OneToMany(() => Charger, (c) => c.station)
  chargers = new Collection<Charger>(this);

  @Field({ description: 'When it was created.' })
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  /** Set by a `near` search; not stored. */
  @Field(() => Float, { nullable: true, description: 'Distance from the `near` point of the search, in km.' })
  @Property({ persist: false, nullable: true })
  distanceKm?: number;
}
