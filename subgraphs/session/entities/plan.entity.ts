import { BigIntType, OptionalProps } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { randomUUID } from 'node:crypto';

/**
 * An operator's subscription plan: a monthly fee for a discount per kWh and/or free minutes of the
 * time charge at the operator's stations. Plans are not changed once offered (drivers subscribed to
 * these terms); an operator retires one and offers another. Money in micro-units of `currency`.
 */
@ObjectType({
  description:
    'An operator’s subscription plan: a monthly fee for a discount per kWh and/or free minutes of time charge at its stations.',
})
@Entity({ tableName: 'plan' })
export class Plan {
  [OptionalProps]?: 'id' | 'description' | 'retiredAt' | 'createdAt';

  @Field(() => ID, { description: "The plan's id." })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field(() => ID, { description: 'The operator whose stations the plan prices.' })
  @Property({ type: 'uuid' })
  operatorId!: string;

  @Field({ description: "The plan's name." })
  @Property({ type: 'text' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'What subscribers get, in words.' })
  @Property({ type: 'text', nullable: true })
  description: string | null = null;

  @Field({
    description: 'The currency of the fee and the discount; it prices tariffs in the same currency only.',
  })
  @Property({ type: 'text' })
  currency!: string;

  @Property({ type: new BigIntType('number') })
  monthlyFeeMicros!: number;

  @Property({ type: new BigIntType('number') })
  energyDiscountPerKwhMicros!: number;

  @Field(() => Int, { description: 'Minutes of time charge free per monthly period (0: none).' })
  @Property({ type: 'integer', fieldName: 'free_minutes' })
  freeMinutesPerMonth!: number;

  @Field(() => Date, {
    nullable: true,
    description: 'When the operator stopped offering it (no new subscribers).',
  })
  @Property({ type: 'timestamptz', nullable: true })
  retiredAt: Date | null = null;

  @Field({ description: 'When it was created.' })
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}

export enum PlanSubscriptionStatus {
  /** In force: its current period's benefits apply unless that period's fee FAILED. */
  ACTIVE = 'ACTIVE',
  /** Over (cancelled at a period end, plan retired, or a period's fee unpaid). */
  ENDED = 'ENDED',
}
registerEnumType(PlanSubscriptionStatus, {
  name: 'PlanSubscriptionStatus',
  description: 'Whether a subscription is in force.',
  valuesConfig: {
    ACTIVE: { description: 'In force (also once cancelled, until its paid period ends).' },
    ENDED: { description: 'Over: cancelled, retired or unpaid.' },
  },
});

/**
 * A driver's subscription: monthly periods from `startedAt` (period n: startedAt + n months, clamped
 * to the month's last day), each paid in advance by a PlanCharge.
 */
@ObjectType({ description: 'A driver’s subscription to a plan, renewed monthly until cancelled.' })
@Entity({ tableName: 'plan_subscription' })
export class PlanSubscription {
  [OptionalProps]?: 'id' | 'periods' | 'cancelAtPeriodEnd' | 'cancelledAt' | 'endedAt' | 'endReason';

  @Field(() => ID, { description: "The subscription's id." })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  planId!: string;

  @Field(() => ID, { description: 'The subscriber.' })
  @Property({ type: 'uuid' })
  userId!: string;

  @Field(() => ID, { description: "The plan's operator." })
  @Property({ type: 'uuid' })
  operatorId!: string;

  @Field(() => PlanSubscriptionStatus, {
    description: 'ACTIVE (also once cancelled, until the paid period ends: see cancelledAt) or ENDED.',
  })
  @Property({ type: 'text' })
  status!: PlanSubscriptionStatus;

  @Field({ description: 'When it started.' })
  @Property({ type: 'timestamptz' })
  startedAt!: Date;

  /** Periods begun so far (the current one is number `periods − 1`, from 0). */
  @Property({ type: 'integer' })
  periods: number = 1;

  @Field({ description: 'The current (or last) period’s start.' })
  @Property({ type: 'timestamptz' })
  periodStart!: Date;

  @Field({ description: 'The current (or last) period’s end: the next fee is charged then.' })
  @Property({ type: 'timestamptz' })
  periodEnd!: Date;

  @Field({ description: 'Cancelled: it ends at the current period’s end and is not charged again.' })
  @Property({ type: 'boolean' })
  cancelAtPeriodEnd: boolean = false;

  @Field(() => Date, { nullable: true, description: 'When it was cancelled; null: not cancelled.' })
  @Property({ type: 'timestamptz', nullable: true })
  cancelledAt: Date | null = null;

  @Field(() => Date, { nullable: true, description: 'When it ended; null: in force.' })
  @Property({ type: 'timestamptz', nullable: true })
  endedAt: Date | null = null;

  @Field(() => String, {
    nullable: true,
    description: 'Why it ended: CANCELLED, PLAN_RETIRED or UNPAID (a period’s fee could not be charged).',
  })
  @Property({ type: 'text', nullable: true })
  endReason: string | null = null;
}

/**
 * One period's fee of a subscription: numbered in the plan-fee record sequence when created and
 * settled on chain (payer → operator, PaymentLedger `settlePlanFees`) as a PlanFee record.
 */
@ObjectType({ description: 'One monthly period’s fee of a subscription, paid on chain.' })
@Entity({ tableName: 'plan_charge' })
export class PlanCharge {
  [OptionalProps]?: 'id' | 'createdAt' | 'txHash' | 'block' | 'fee' | 'failureReason' | 'updatedAt';

  @Field(() => ID, { description: "The charge's id." })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  subscriptionId!: string;

  @Property({ type: 'uuid' })
  planId!: string;

  @Property({ type: 'uuid' })
  userId!: string;

  @Property({ type: 'uuid' })
  operatorId!: string;

  @Field({ description: 'Start of the period it pays for.' })
  @Property({ type: 'timestamptz' })
  periodStart!: Date;

  @Field({ description: 'End of the period it pays for (exclusive).' })
  @Property({ type: 'timestamptz' })
  periodEnd!: Date;

  @Property({ type: new BigIntType('number') })
  amountMicros!: number;

  @Field({ description: 'The currency of the fee.' })
  @Property({ type: 'text' })
  currency!: string;

  @Field({ description: 'When it was charged.' })
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: new BigIntType('string') })
  recordId!: string;

  @Property({ type: 'text' })
  status!: string;

  @Property({ type: 'text' })
  payer!: string;

  @Property({ type: 'text' })
  payee!: string;

  @Property({ type: 'text' })
  recordHash!: string;

  @Property({ type: 'text', nullable: true })
  txHash: string | null = null;

  @Property({ type: 'integer', nullable: true })
  block: number | null = null;

  @Property({ type: new BigIntType('string'), nullable: true })
  fee: string | null = null;

  @Property({ type: 'text', nullable: true })
  failureReason: string | null = null;

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}
