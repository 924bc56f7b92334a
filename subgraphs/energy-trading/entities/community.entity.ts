import { OptionalProps } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { randomBytes, randomUUID } from 'node:crypto';

/**
 * A local energy market: its members trade energy per interval (market clearing:
 * services/clearing.ts). Prices are integers in the settlement token's smallest unit per kWh.
 */
@ObjectType({ description: 'A local energy market. Prices in token units (6 decimals) per kWh.' })
@Directive('@key(fields: "id")')
@Entity({ tableName: 'community' })
export class Community {
  [OptionalProps]?:
    | 'id'
    | 'intervalMinutes'
    | 'gateClosureMinutes'
    | 'createdAt'
    | 'inviteCode'
    | 'feeBps'
    | 'deliveredThrough';

  @Field(() => ID, { description: "The community's id." })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field({ description: "The community's name." })
  @Property({ type: 'text' })
  name!: string;

  @Field({ description: 'IANA time zone, e.g. Europe/Berlin.' })
  @Property({ type: 'text' })
  timezone!: string;

  @Field(() => Int, { description: 'Length of a market interval, minutes (5–60).' })
  @Property({ type: 'integer' })
  intervalMinutes: number = 15;

  @Field(() => Int, { description: 'Orders for an interval close this many minutes before it starts.' })
  @Property({ type: 'integer' })
  gateClosureMinutes: number = 5;

  @Field(() => Int, { description: 'Lowest price an order may name, token units per kWh.' })
  @Property({ type: 'integer' })
  priceFloorPerKwh!: number;

  @Field(() => Int, { description: 'Highest price an order may name, token units per kWh.' })
  @Property({ type: 'integer' })
  priceCapPerKwh!: number;

  @Field(() => ID, { description: 'The operator who runs the market.' })
  @Property({ type: 'uuid' })
  operatorId!: string;

  @Field(() => Int, { description: 'Fee taken from sellers, basis points of what buyers pay (0–2,000).' })
  @Property({ type: 'integer' })
  feeBps: number = 0;

  /** Members join with it (`joinCommunity`); only the operator and admins read it. */
  @Property({ type: 'text' })
  inviteCode: string = randomBytes(12).toString('base64url');

  /** Every interval before this has had its delivery checked: readings for it are late. */
  @Property({ type: 'timestamptz', nullable: true })
  deliveredThrough: Date | null = null;

  @Field({ description: 'When it was created.' })
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
