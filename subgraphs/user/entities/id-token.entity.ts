import { OptionalProps, type Rel } from '@mikro-orm/core';
import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { randomUUID } from 'node:crypto';
import { User } from './user.entity.js';

/** What a charger is told about an id token (OCPP 1.6 AuthorizationStatus / 2.0.1 AuthorizationStatusEnumType). */
export enum IdTokenStatus {
  ACCEPTED = 'ACCEPTED',
  BLOCKED = 'BLOCKED',
  EXPIRED = 'EXPIRED',
  INVALID = 'INVALID',
}
registerEnumType(IdTokenStatus, {
  name: 'IdTokenStatus',
  description: 'Whether an id token may start charging: as OCPP names the states.',
  valuesConfig: {
    ACCEPTED: { description: 'Chargers accept it.' },
    BLOCKED: { description: 'Blocked by its owner or an admin.' },
    EXPIRED: { description: 'Past its expiry.' },
    INVALID: { description: 'Not known to the platform.' },
  },
});

/**
 * An RFID card or other token a driver presents at a charger. Tokens are stored upper-cased: card
 * readers differ in the case of the hex UID they report.
 */
@ObjectType({ description: 'An RFID card or app token that starts charging on the owner’s account.' })
@Entity({ tableName: 'id_token' })
export class IdToken {
  [OptionalProps]?: 'id' | 'blocked' | 'expiresAt' | 'createdAt';

  @Field(() => ID, { description: "The id token's id." })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field({ description: 'The token as chargers send it (idTag / idToken), upper-cased.' })
  @Property({ type: 'text', unique: true })
  token!: string;

  @Index()
  @ManyToOne(() => User, { deleteRule: 'cascade' })
  user!: Rel<User>;

  @Property({ type: 'boolean' })
  blocked: boolean = false;

  @Field(() => Date, { nullable: true, description: 'When it stops being accepted; null: never.' })
  @Property({ type: 'timestamptz', nullable: true })
  expiresAt: Date | null = null;

  @Field({ description: 'When it was added.' })
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  /** Status as a charger would be told now. */
  statusAt(now: Date): IdTokenStatus {
    if (this.blocked) return IdTokenStatus.BLOCKED;
    if (this.expiresAt && this.expiresAt <= now) return IdTokenStatus.EXPIRED;
    return IdTokenStatus.ACCEPTED;
  }
}

/** The answer to "may this token charge?", for the OCPP bridge; not part of the public API. */
@ObjectType()
@Directive('@inaccessible')
export class IdTokenAuthorization {
  @Field(() => IdTokenStatus)
  status!: IdTokenStatus;

  @Field(() => ID, { nullable: true })
  userId!: string | null;

  @Field(() => Date, { nullable: true })
  expiresAt!: Date | null;
}

/** A user's id token and its status, for the station subgraph's local authorization lists. */
@ObjectType()
@Directive('@inaccessible')
export class UserIdTokenStatus {
  @Field()
  token!: string;

  @Field(() => ID)
  userId!: string;

  @Field(() => IdTokenStatus)
  status!: IdTokenStatus;

  @Field(() => Date, { nullable: true })
  expiresAt!: Date | null;
}
