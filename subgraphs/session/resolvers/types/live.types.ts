import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';

export enum SessionUpdateKind {
  STARTED = 'STARTED',
  METER_VALUES = 'METER_VALUES',
  STOPPED = 'STOPPED',
  SETTLEMENT = 'SETTLEMENT',
}
registerEnumType(SessionUpdateKind, {
  name: 'SessionUpdateKind',
  description: 'What changed in a session.',
  valuesConfig: {
    STARTED: { description: 'The session started.' },
    METER_VALUES: { description: 'New meter readings arrived.' },
    STOPPED: { description: 'It stopped and was priced.' },
    SETTLEMENT: { description: 'Its settlement changed state.' },
  },
});

@ObjectType({ description: 'A charging session changed; the session is as stored after the change.' })
export class SessionUpdateEvent {
  @Field(() => ID, { description: 'The session.' })
  sessionId!: string;

  @Field(() => SessionUpdateKind, { description: 'What changed.' })
  kind!: SessionUpdateKind;

  @Field({ description: 'When it happened, by the charger’s clock (settlement: by the platform’s).' })
  at!: Date;
}
