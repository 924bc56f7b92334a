import {
  Arg,
  Authorized,
  Ctx,
  Field,
  FieldResolver,
  ID,
  InputType,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { Role } from '../../../lib/auth.js';
import { Plan, PlanCharge, PlanSubscription } from '../entities/plan.entity.js';
import type { SessionContext } from '../context.js';
import { formatMoney } from '../services/money.js';
import { Settlement } from './types/settlement.types.js';
import { ARG } from '../../../lib/arg-descriptions.js';

@InputType({
  description: 'A subscription plan to offer: a monthly fee for a discount per kWh and/or free minutes.',
})
export class CreatePlanInput {
  @Field({ description: '1–100 characters; receipts name the plan by it.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'What subscribers get, in words (shown to drivers).' })
  description?: string | null;

  @Field({ description: 'The settlement token’s currency (plan fees are paid on chain).' })
  currency!: string;

  @Field({
    description: 'Decimal string, whole cents, above 0: charged at the start of every monthly period.',
  })
  monthlyFee!: string;

  @Field(() => String, {
    nullable: true,
    description:
      'Decimal string taken off the price per kWh (never below 0) at the operator’s stations; default "0".',
  })
  energyDiscountPerKwh?: string | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Minutes of time charge free in each monthly period, shared by its sessions; default 0.',
  })
  freeMinutesPerMonth?: number | null;
}

@Resolver(() => Plan)
export class PlanResolver {
  @Authorized(Role.OPERATOR)
  @Mutation(() => Plan, {
    description:
      'Offers a subscription plan at the viewer’s stations: a monthly fee (in the settlement currency) for a discount ' +
      'per kWh and/or free minutes. Plans are not changed once offered: retire one and offer another.',
  })
  createPlan(@Arg('input', { description: ARG.input }) input: CreatePlanInput, @Ctx() ctx: SessionContext) {
    return ctx.plans.create(ctx.viewer, input);
  }

  @Authorized(Role.OPERATOR, Role.ADMIN)
  @Mutation(() => Plan, {
    description:
      'Stops offering a plan (its operator or an admin): no new subscribers; its subscriptions end at their period’s end.',
  })
  retirePlan(
    @Arg('planId', () => ID, { description: ARG.planId }) planId: string,
    @Ctx() ctx: SessionContext,
  ) {
    return ctx.plans.retire(ctx.viewer, planId);
  }

  @Authorized()
  @Query(() => [Plan], {
    description:
      'An operator’s plans on offer, newest first; `includeRetired` (the operator and admins) adds its retired ones.',
  })
  plans(
    @Arg('operatorId', () => ID, { description: ARG.operatorId }) operatorId: string,
    @Arg('includeRetired', {
      defaultValue: false,
      description: 'Also retired plans (the operator’s own view; drivers never see retired plans).',
    })
    includeRetired: boolean,
    @Ctx() ctx: SessionContext,
  ) {
    return ctx.plans.list(ctx.viewer, operatorId, includeRetired);
  }

  @FieldResolver(() => String, { description: 'Decimal string, in `currency`.' })
  monthlyFee(@Root() p: Plan) {
    return formatMoney(p.monthlyFeeMicros);
  }

  @FieldResolver(() => String, {
    description: 'Taken off the price per kWh (never below 0); decimal string.',
  })
  energyDiscountPerKwh(@Root() p: Plan) {
    return formatMoney(p.energyDiscountPerKwhMicros);
  }
}

@Resolver(() => PlanSubscription)
export class PlanSubscriptionResolver {
  @Authorized()
  @Mutation(() => PlanSubscription, {
    description:
      'Subscribes the viewer to a plan: the first monthly period starts now and its fee is paid on chain from the ' +
      'viewer’s escrow at once; sessions at the operator’s stations that end in a period whose fee is not FAILED ' +
      'are priced with the plan. CONFLICT when the plan is retired, the viewer already has a subscription with this ' +
      'operator, a party has no wallet, or the escrow cannot pay the fee now.',
  })
  subscribeToPlan(
    @Arg('planId', () => ID, { description: ARG.planId }) planId: string,
    @Ctx() ctx: SessionContext,
  ) {
    return ctx.plans.subscribe(ctx.viewer, planId);
  }

  @Authorized()
  @Mutation(() => PlanSubscription, {
    description:
      'Cancels a subscription (its subscriber or an admin) at the end of the paid period: it is not charged again. ' +
      'CONFLICT when it has ended.',
  })
  cancelPlanSubscription(
    @Arg('subscriptionId', () => ID, { description: ARG.subscriptionId }) subscriptionId: string,
    @Ctx() ctx: SessionContext,
  ) {
    return ctx.plans.cancel(ctx.viewer, subscriptionId);
  }

  @Authorized()
  @Query(() => [PlanSubscription], {
    description:
      'The viewer’s plan subscriptions, newest first; with `planId`, that plan’s subscriptions (its operator and admins).',
  })
  planSubscriptions(
    @Arg('planId', () => ID, { nullable: true, description: ARG.planId }) planId: string | null,
    @Ctx() ctx: SessionContext,
  ) {
    return ctx.plans.subscriptions(ctx.viewer, planId);
  }

  @FieldResolver(() => Plan, { description: 'The plan.' })
  plan(@Root() s: PlanSubscription, @Ctx() ctx: SessionContext) {
    return ctx.plans.plan(s.planId);
  }

  @FieldResolver(() => [PlanCharge], { description: 'Each period’s fee, newest first.' })
  charges(@Root() s: PlanSubscription, @Ctx() ctx: SessionContext) {
    return ctx.plans.charges(s.id);
  }
}

@Resolver(() => PlanCharge)
export class PlanChargeResolver {
  @FieldResolver(() => String, { description: 'The fee, decimal string in `currency`.' })
  amount(@Root() c: PlanCharge) {
    return formatMoney(c.amountMicros);
  }

  @FieldResolver(() => Settlement, { description: 'How the fee is paid on chain (a PlanFee record).' })
  settlement(@Root() c: PlanCharge): Settlement {
    return {
      status: c.status,
      recordId: c.recordId,
      recordHash: c.recordHash,
      payer: c.payer,
      payee: c.payee,
      amount: formatMoney(c.amountMicros),
      fee: c.fee == null ? null : formatMoney(Number(c.fee)),
      txHash: c.txHash,
      blockNumber: c.block,
      failureReason: c.failureReason,
    };
  }
}
