import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Connection } from '../../../../lib/pagination.js';
import { ChargingSession } from '../../entities/charging-session.entity.js';
import { SessionStatus } from '../../entities/enums.js';

@InputType()
export class SetTariffInput {
  @Field(() => ID)
  stationId!: string;

  @Field(() => ID, { nullable: true, description: 'With evseId: a tariff for one EVSE of this charger.' })
  chargerId?: string;

  @Field(() => Int, { nullable: true })
  evseId?: number;

  @Field()
  name!: string;

  @Field({ description: 'ISO 4217 code, e.g. EUR or USD.' })
  currency!: string;

  @Field({ description: 'Decimal string, e.g. "0.39".' })
  pricePerKwh!: string;

  @Field({ nullable: true, description: 'Decimal string; default "0".' })
  pricePerMinute?: string;

  @Field({ nullable: true, description: 'Decimal string; default "0".' })
  sessionFee?: string;

  @Field({
    nullable: true,
    description: 'Decimal string per idle minute beyond the grace period; default "0".',
  })
  idleFeePerMinute?: string;

  @Field(() => Int, { nullable: true, description: 'Idle minutes that cost nothing; default 0.' })
  idleGraceMinutes?: number;
}

@InputType()
export class SessionFilter {
  @Field(() => SessionStatus, { nullable: true })
  status?: SessionStatus;

  @Field(() => ID, { nullable: true })
  stationId?: string;

  @Field(() => ID, { nullable: true })
  chargerId?: string;
}

@ObjectType({
  description: 'Itemized cost of a completed session; decimal strings in the session’s currency.',
})
export class CostBreakdown {
  @Field()
  energy!: string;

  @Field()
  time!: string;

  @Field()
  idle!: string;

  @Field()
  sessionFee!: string;

  @Field()
  total!: string;
}

@ObjectType()
export class ChargingSessionConnection extends Connection(ChargingSession) {}
