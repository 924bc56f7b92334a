import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Connection } from '../../../../lib/pagination.js';
import { ChargingSession } from '../../entities/charging-session.entity.js';
import { SessionStatus } from '../../entities/enums.js';

@InputType({
  description: 'A time-of-use window: on its weekdays, between start and end local time, its prices apply.',
})
export class TariffWindowInput {
  @Field({ description: 'What the receipt calls it, e.g. "Off-peak" (1–40 characters).' })
  name!: string;

  @Field(() => [Int], { description: 'ISO weekdays it applies on: 1 Monday … 7 Sunday.' })
  days!: number[];

  @Field({ description: 'Local start, "HH:MM".' })
  start!: string;

  @Field({ description: 'Local end, "HH:MM" after start ("24:00": midnight at the end of the day).' })
  end!: string;

  @Field({ description: 'Decimal string per kWh within the window.' })
  pricePerKwh!: string;

  @Field({ nullable: true, description: 'Decimal string per minute within the window; default "0".' })
  pricePerMinute?: string;
}

@InputType({
  description: 'A tariff for a station or one EVSE: prices, idle fee, time-of-use windows and a cap.',
})
export class SetTariffInput {
  @Field(() => ID, { description: 'The station the tariff applies to.' })
  stationId!: string;

  @Field(() => ID, { nullable: true, description: 'With evseId: a tariff for one EVSE of this charger.' })
  chargerId?: string;

  @Field(() => Int, {
    nullable: true,
    description: 'Only this EVSE of the station; none: the whole station.',
  })
  evseId?: number;

  @Field({ description: "The tariff's name, shown to drivers." })
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

  @Field(() => [TariffWindowInput], {
    nullable: true,
    description: 'Time-of-use windows (at most 20; windows sharing a weekday may not overlap).',
  })
  windows?: TariffWindowInput[];

  @Field({ nullable: true, description: 'Decimal string: the most one session costs. Omitted: no cap.' })
  maxSessionCost?: string;
}

@InputType({ description: 'Which sessions to return; every filter given must hold.' })
export class SessionFilter {
  @Field(() => SessionStatus, { nullable: true, description: 'Only sessions in this state.' })
  status?: SessionStatus;

  @Field(() => ID, { nullable: true, description: 'Only sessions at this station.' })
  stationId?: string;

  @Field(() => ID, { nullable: true, description: 'Only sessions at this charger.' })
  chargerId?: string;
}

@ObjectType({
  description: 'Itemized cost of a completed session; decimal strings in the session’s currency.',
})
export class CostBreakdown {
  @Field({ description: 'Energy, after a subscription plan’s discount per kWh and the cap.' })
  energy!: string;

  @Field({ description: 'Time, after a subscription plan’s free minutes and the cap.' })
  time!: string;

  @Field({ description: 'What a subscription plan took off energy and time (0.00: none).' })
  planDiscount!: string;

  @Field({ description: 'Idle fee: occupying the connector past the grace period without charging.' })
  idle!: string;

  @Field({ description: 'The fixed fee per session.' })
  sessionFee!: string;

  @Field({ description: 'What the session costs: the sum of the parts (after the cap).' })
  total!: string;
}

@ObjectType({ description: 'A page of charging sessions (Relay-style).' })
export class ChargingSessionConnection extends Connection(ChargingSession) {}

@ObjectType({ description: 'One priced line of a receipt.' })
export class ReceiptLine {
  @Field({
    description:
      'ENERGY and TIME (one line per price period, at list prices), PLAN_DISCOUNT (negative: a subscription plan’s discount per kWh or free minutes), IDLE, SESSION_FEE, or CAP (negative: what the cap took off).',
  })
  kind!: string;

  @Field({ description: 'The line as a receipt prints it.' })
  description!: string;

  @Field({ description: 'How much: kWh (3 decimals), minutes (2 decimals), or 1 for the session fee.' })
  quantity!: string;

  @Field({ description: 'kWh, min or session.' })
  unit!: string;

  @Field({
    description:
      'The tariff’s price per unit, in `currency` (a plan discount: negative; empty for free minutes spread over several prices).',
  })
  unitPrice!: string;

  @Field({ description: 'The line’s amount, rounded to whole cents (the total is the sum of the lines).' })
  amount!: string;
}

@ObjectType({ description: 'What a completed session cost, line by line, and how it was paid.' })
export class Receipt {
  @Field(() => [ReceiptLine], { description: 'The priced lines (those the tariff charges for).' })
  lines!: ReceiptLine[];

  @Field({ description: 'What was paid, a decimal in `currency`: the lines added up.' })
  total!: string;

  @Field({ description: 'The currency.' })
  currency!: string;

  @Field(() => Int, { description: 'Energy delivered, in Wh.' })
  energyWh!: number;

  @Field({ description: 'When the session started.' })
  startedAt!: Date;

  @Field({ description: 'When it stopped.' })
  stoppedAt!: Date;

  @Field(() => String, {
    nullable: true,
    description: 'The settlement: PENDING, SUBMITTED, CONFIRMED or FAILED; null when not paid on chain.',
  })
  settlementStatus!: string | null;

  @Field(() => String, { nullable: true, description: 'The transaction that paid it on chain.' })
  settlementTxHash!: string | null;

  stationId!: string;
}

export { Download } from '../../../../lib/csv-export.js';
