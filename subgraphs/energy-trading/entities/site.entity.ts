import { OptionalProps } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Directive, Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { randomUUID } from 'node:crypto';

/**
 * A producing or consuming installation in a community. The seller of a site's energy is the site;
 * its proceeds go to its owners by share (`SiteShare`; without any, the owner holds 10,000 bps).
 */
@ObjectType({ description: 'A site (house, shared PV installation) in a community market.' })
@Directive('@key(fields: "id")')
@Entity({ tableName: 'site' })
export class Site {
  [OptionalProps]?: 'id' | 'createdAt' | 'batteryWh';

  @Field(() => ID, { description: "The site's id." })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field(() => ID, { description: 'The community it trades in.' })
  @Property({ type: 'uuid' })
  communityId!: string;

  @Property({ type: 'uuid' })
  ownerId!: string;

  @Field({ description: "The site's name." })
  @Property({ type: 'text' })
  name!: string;

  @Field(() => Float, { description: 'Latitude in degrees.' })
  @Property({ type: 'double' })
  latitude!: number;

  @Field(() => Float, { description: 'Longitude in degrees.' })
  @Property({ type: 'double' })
  longitude!: number;

  @Field(() => Int, { description: 'Installed PV capacity, Wp (1 kWp = 1,000).' })
  @Property({ type: 'integer' })
  pvCapacityWp!: number;

  @Field(() => Int, { nullable: true, description: 'Battery capacity, Wh.' })
  @Property({ type: 'integer', nullable: true })
  batteryWh: number | null = null;

  @Field({ description: 'When it was created.' })
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}

/** A co-owner's share of a site's proceeds, basis points; a site's shares sum to 10,000. */
@ObjectType({ description: 'A share of a site’s proceeds.' })
@Entity({ tableName: 'site_share' })
export class SiteShare {
  @PrimaryKey({ type: 'uuid' })
  siteId!: string;

  @Field(() => ID, { description: 'The account.' })
  @PrimaryKey({ type: 'uuid' })
  userId!: string;

  @Field(() => Int, { description: 'Basis points (10,000 = all).' })
  @Property({ type: 'integer' })
  shareBps!: number;
}
