import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';

export enum SessionUpdateKind {
  STARTED = 'STARTED',
  METER_VALUES = 'METER_VALUES',
  STOPPED = 'STOPPED',
  SETTLEMENT = 'SETTLEMENT',
}
registerEnumType(SessionUpdateKind, { name: 'SessionUpdateKind', description: 'What changed in a session.' });

@ObjectType({ description: 'A charging session changed; the session is as stored after the change.' })
export class SessionUpdateEvent {
  @Field(() => ID)
  sessionId!: string;

  @Field(() => SessionUpdateKind)
  kind!: SessionUpdateKind;

  @Field({ description: 'When it happened, by the charger’s clock (settlement: by the platform’s).' })
  at!: Date;
}
