import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Queue } from 'bullmq';
import { hasRole, Role, type Viewer } from '../../../lib/auth.js';
import { CLEARABLE_FAILURES } from '../../../lib/chain/contracts.js';
import type { ChainReader } from '../../../lib/chain/reader.js';
import { badInput, conflict, forbidden, notFound } from '../../../lib/errors.js';
import { isUniqueViolation, isUuid } from '../../../lib/ids.js';
import { ledgerHash, unixSeconds, type LedgerDomain, type LedgerMessage } from '../../../lib/ledger.js';
import type { Logger } from '../../../lib/logger.js';
import { Poller } from '../../../lib/poller.js';
import {
  jobId,
  OUTCOME_REPLACES,
  outcomeColumns,
  SETTLE_JOB_OPTIONS,
  SETTLE_PLAN_FEE,
  traced,
  type PlanFeeOutcomeJob,
  type SettlePlanFeeJob,
} from '../../../lib/queues.js';
import type { UserServiceClient } from '../../../lib/service-clients/user.js';
import { Plan, PlanCharge, PlanSubscription, PlanSubscriptionStatus } from '../entities/plan.entity.js';
import { formatMoney, parseCurrency, parseMoney } from './money.js';
import type { PlanBenefit } from './pricing.js';

/**
 * Period n of a subscription that started at `start`: from start + n months to start + n + 1 months,
 * in UTC, the day clamped to the month's last (a subscription from 31 January renews on 28 or 29
 * February, then on 31 March).
 */
export function addMonths(start: Date, n: number): Date {
  const y = start.getUTCFullYear();
  const m = start.getUTCMonth() + n;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const d = new Date(start);
  d.setUTCFullYear(y, m, Math.min(start.getUTCDate(), last));
  return d;
}

/** A plan fee as the ledger's PlanFee record (docs/ledger-format.md), from the stored charge alone. */
export function planFeeLedgerMessage(c: {
  recordId: string;
  id: string;
  subscriptionId: string;
  planId: string;
  payer: string;
  payee: string;
  amountMicros: number;
  currency: string;
  periodStart: Date;
  periodEnd: Date;
}): LedgerMessage {
  return {
    recordId: BigInt(c.recordId),
    chargeId: c.id,
    subscriptionId: c.subscriptionId,
    planId: c.planId,
    payer: c.payer,
    payee: c.payee,
    amount: BigInt(c.amountMicros),
    currency: c.currency,
    periodStart: unixSeconds(c.periodStart),
    periodEnd: unixSeconds(c.periodEnd),
  };
}

export interface PlanDeps {
  users: UserServiceClient;
  chain: ChainReader;
  queue: Queue;
  /** The settlement token's currency: plans are charged on chain, so they are priced in it. */
  currency: string;
  domain: () => Promise<LedgerDomain>;
  logger: Logger;
}

export interface CreatePlanFields {
  name: string;
  description?: string | null;
  currency: string;
  monthlyFee: string;
  energyDiscountPerKwh?: string | null;
  freeMinutesPerMonth?: number | null;
}

const mayManage = (viewer: Viewer, operatorId: string) =>
  viewer.userId === operatorId || hasRole(viewer, Role.ADMIN);

/**
 * Subscription plans: operators offer them, drivers subscribe and cancel. A subscription runs in
 * monthly periods paid in advance: subscribing charges the first period at once, renewal (PlanBilling)
 * the next ones. Each period's fee is a PlanCharge, numbered in the plan-fee record sequence in the
 * same transaction that creates it and queued for the settlement worker, which pays it payer → the
 * operator on chain (PaymentLedger `settlePlanFees`): never twice, as the worker asks the chain first.
 */
export class PlanService {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: PlanDeps,
  ) {}

  async create(viewer: Viewer, input: CreatePlanFields): Promise<Plan> {
    const name = input.name.trim();
    if (!name || name.length > 100) throw badInput('name must be 1–100 characters', 'name');
    const description = input.description?.trim() || null;
    if (description && description.length > 1000)
      throw badInput('description must be at most 1,000 characters', 'description');
    const currency = parseCurrency(input.currency);
    if (currency !== this.deps.currency)
      throw badInput(`Plan fees are paid on chain in ${this.deps.currency}: currency must be it`, 'currency');
    const monthlyFeeMicros = parseMoney(input.monthlyFee, 'monthlyFee');
    if (monthlyFeeMicros <= 0 || monthlyFeeMicros % 10_000 !== 0)
      throw badInput('monthlyFee must be above 0, in whole cents', 'monthlyFee');
    const energyDiscountPerKwhMicros = parseMoney(input.energyDiscountPerKwh ?? '0', 'energyDiscountPerKwh');
    const free = input.freeMinutesPerMonth ?? 0;
    if (!Number.isInteger(free) || free < 0 || free > 44_640)
      throw badInput('freeMinutesPerMonth must be 0 to 44,640 (a month of minutes)', 'freeMinutesPerMonth');
    if (!energyDiscountPerKwhMicros && !free)
      throw badInput('A plan gives a discount per kWh, free minutes, or both', 'energyDiscountPerKwh');
    const plan = this.em.create(Plan, {
      operatorId: viewer.userId!,
      name,
      description,
      currency,
      monthlyFeeMicros,
      energyDiscountPerKwhMicros,
      freeMinutesPerMonth: free,
    });
    await this.em.flush();
    return plan;
  }

  /** Stops offering a plan: no new subscribers; subscriptions to it end at their period's end. */
  async retire(viewer: Viewer, planId: string): Promise<Plan> {
    const plan = await this.plan(planId);
    if (!mayManage(viewer, plan.operatorId))
      throw forbidden('Only the plan’s operator or an admin retires it');
    plan.retiredAt ??= new Date();
    await this.em.flush();
    return plan;
  }

  async plan(planId: string): Promise<Plan> {
    const plan = isUuid(planId) ? await this.em.findOne(Plan, { id: planId }) : null;
    if (!plan) throw notFound('Plan', planId);
    return plan;
  }

  /** An operator's plans on offer, newest first; its retired ones too for the operator and admins. */
  async list(viewer: Viewer, operatorId: string, includeRetired: boolean): Promise<Plan[]> {
    if (!isUuid(operatorId)) return [];
    if (includeRetired && !mayManage(viewer, operatorId))
      throw forbidden('Only the operator or an admin sees its retired plans');
    return this.em.find(
      Plan,
      { operatorId, ...(includeRetired ? {} : { retiredAt: null }) },
      { orderBy: { createdAt: 'desc' } },
    );
  }

  /**
   * Subscribes the viewer: the first period starts now and its fee is charged at once. Refused
   * (FAILED_PRECONDITION-like CONFLICT / BAD_USER_INPUT) when the plan is retired, the viewer already
   * has a subscription with this operator, a party has no wallet, or the viewer's escrow cannot pay
   * the fee now (its limits and what is left of its day) — a plan's benefits are never given on a fee
   * that cannot be charged.
   */
  async subscribe(viewer: Viewer, planId: string): Promise<PlanSubscription> {
    const plan = await this.plan(planId);
    if (plan.retiredAt) throw conflict('The plan is retired: it takes no new subscribers');
    const userId = viewer.userId!;
    if (userId === plan.operatorId) throw badInput('An operator cannot subscribe to its own plan', 'planId');
    const wallets = await this.deps.users.primaryWallets([userId, plan.operatorId]);
    const payer = wallets.find((w) => w.userId === userId)?.address;
    const payee = wallets.find((w) => w.userId === plan.operatorId)?.address;
    if (!payer) throw conflict('Link a wallet first: the plan’s fee is paid from its escrow');
    if (!payee)
      throw conflict('The operator has no wallet to be paid in: the plan cannot be subscribed to yet');
    const fee = BigInt(plan.monthlyFeeMicros);
    const limits = await this.deps.chain.limitsOf(payer);
    if (limits.recordLimit < fee || limits.spendableToday < fee)
      throw conflict(
        `Your escrow cannot pay the fee of ${formatMoney(plan.monthlyFeeMicros)} ${plan.currency} now ` +
          `(limit per record ${formatMoney(Number(limits.recordLimit))}, left today ${formatMoney(Number(limits.spendableToday))})`,
      );
    const domain = await this.deps.domain();
    const start = new Date();
    let charge!: PlanCharge;
    let subscription!: PlanSubscription;
    try {
      await this.em.transactional(async (em) => {
        subscription = em.create(PlanSubscription, {
          planId: plan.id,
          userId,
          operatorId: plan.operatorId,
          status: PlanSubscriptionStatus.ACTIVE,
          startedAt: start,
          periodStart: start,
          periodEnd: addMonths(start, 1),
        });
        await em.flush();
        charge = await numberCharge(em, domain, subscription, plan, { payer, payee });
      });
    } catch (err) {
      if (isUniqueViolation(err))
        throw conflict('You already have a subscription with this operator: cancel it first');
      throw err;
    }
    await enqueueCharge(this.deps.queue, charge);
    this.deps.logger.info(
      { subscriptionId: subscription.id, planId: plan.id, recordId: charge.recordId },
      'plan subscribed; first fee queued',
    );
    return subscription;
  }

  /** Cancels at the current period's end (the period is paid): it is not charged again. */
  async cancel(viewer: Viewer, subscriptionId: string): Promise<PlanSubscription> {
    const s = isUuid(subscriptionId) ? await this.em.findOne(PlanSubscription, { id: subscriptionId }) : null;
    if (!s || (s.userId !== viewer.userId && !hasRole(viewer, Role.ADMIN)))
      throw notFound('Plan subscription', subscriptionId);
    if (s.status !== PlanSubscriptionStatus.ACTIVE) throw conflict('The subscription has ended already');
    if (!s.cancelAtPeriodEnd) {
      s.cancelAtPeriodEnd = true;
      s.cancelledAt = new Date();
      await this.em.flush();
    }
    return s;
  }

  /**
   * The viewer's subscriptions (without planId), or a plan's subscriptions for its operator and
   * admins; newest first.
   */
  async subscriptions(viewer: Viewer, planId: string | null): Promise<PlanSubscription[]> {
    if (planId == null)
      return this.em.find(PlanSubscription, { userId: viewer.userId! }, { orderBy: { startedAt: 'desc' } });
    const plan = await this.plan(planId);
    if (!mayManage(viewer, plan.operatorId))
      throw forbidden('Only the plan’s operator or an admin sees its subscribers');
    return this.em.find(PlanSubscription, { planId }, { orderBy: { startedAt: 'desc' }, limit: 1000 });
  }

  /** A subscription's charges, newest first. */
  charges(subscriptionId: string): Promise<PlanCharge[]> {
    return this.em.find(PlanCharge, { subscriptionId }, { orderBy: { recordId: 'desc' } });
  }
}

/**
 * Creates the charge of the subscription's current period and numbers it (inside the caller's
 * transaction: a charge exists only with its record number and hash). The hash binds the record to
 * the deployment's ledger domain.
 */
async function numberCharge(
  em: EntityManager,
  domain: LedgerDomain,
  s: PlanSubscription,
  plan: Plan,
  party: { payer: string; payee: string },
): Promise<PlanCharge> {
  const [{ id }] = await em.execute<{ id: string }[]>(
    `select nextval('"session"."plan_fee_record_seq"')::text as id`,
  );
  const charge = em.create(PlanCharge, {
    subscriptionId: s.id,
    planId: plan.id,
    userId: s.userId,
    operatorId: s.operatorId,
    periodStart: s.periodStart,
    periodEnd: s.periodEnd,
    amountMicros: plan.monthlyFeeMicros,
    currency: plan.currency,
    recordId: id!,
    status: 'PENDING',
    payer: party.payer,
    payee: party.payee,
    recordHash: '',
  });
  charge.recordHash = ledgerHash('PlanFee', domain, planFeeLedgerMessage(charge));
  await em.flush();
  return charge;
}

const jobOf = (c: PlanCharge): SettlePlanFeeJob => ({
  kind: 'planFee',
  chargeId: c.id,
  recordId: c.recordId,
  payer: c.payer,
  payee: c.payee,
  amount: String(c.amountMicros),
  recordHash: c.recordHash,
  stoppedAt: c.periodStart.toISOString(),
});

/** Queues a charge for the settlement worker; job id = charge id, so queuing it again is a no-op. */
function enqueueCharge(queue: Queue, c: PlanCharge, id: string = c.id) {
  return queue.add(SETTLE_PLAN_FEE, traced(jobOf(c)), { ...SETTLE_JOB_OPTIONS, jobId: id });
}

/**
 * Stores what the settlement worker reported about a plan fee (SETTLEMENT_OUTCOMES_QUEUE): one
 * conditional UPDATE, so outcomes may come in any order and twice (OUTCOME_REPLACES).
 */
export async function recordPlanFeeOutcome(em: EntityManager, outcome: PlanFeeOutcomeJob): Promise<boolean> {
  const { set, values } = outcomeColumns(outcome);
  const rows = await em.execute<{ id: string }[]>(
    `update "session"."plan_charge" set status = ?, updated_at = now(), ${set}
      where id = ? and status in (?) returning id`,
    [outcome.status, ...values, outcome.planChargeId, OUTCOME_REPLACES[outcome.status]],
  );
  return rows.length > 0;
}

/**
 * The plan benefit for a session of `userId` at `operatorId`'s stations that stopped at `stoppedAt`
 * (sessions are priced when they end): the subscription period (its charge) covering that moment,
 * unless its fee FAILED or the subscription ended before, with the free
 * minutes its earlier sessions have not used. Called inside the pricing transaction: the charge row
 * is locked, so two sessions priced at once cannot spend the same free minutes. `lock: false` reads
 * without the lock, outside a transaction (a live session's cost so far: an estimate, not a price).
 */
export async function planBenefitFor(
  em: EntityManager,
  session: { id: string; userId: string | null; operatorId: string; currency: string },
  stoppedAt: Date,
  { lock = true }: { lock?: boolean } = {},
): Promise<(PlanBenefit & { chargeId: string; planId: string }) | null> {
  if (!session.userId) return null;
  const [row] = await em.execute<
    {
      charge_id: string;
      status: string;
      plan_id: string;
      name: string;
      currency: string;
      energy_discount_per_kwh_micros: string;
      free_minutes: number;
    }[]
  >(
    `select c.id as charge_id, c.status, p.id as plan_id, p.name, p.currency, p.energy_discount_per_kwh_micros, p.free_minutes
       from "session"."plan_charge" c
       join "session"."plan" p on p.id = c.plan_id
       join "session"."plan_subscription" s on s.id = c.subscription_id
      where c.user_id = ? and c.operator_id = ? and c.period_start <= ? and c.period_end > ?
        and (s.ended_at is null or s.ended_at > ?)
      order by c.period_start desc limit 1
      ${lock ? 'for update of c' : ''}`,
    [session.userId, session.operatorId, stoppedAt, stoppedAt, stoppedAt],
  );
  // The newest period covering the moment decides (never an older one): unpaid, no benefit.
  if (!row || row.status === 'FAILED' || row.currency !== session.currency) return null;
  let freeMinutesLeft = 0;
  if (row.free_minutes > 0) {
    const [used] = await em.execute<{ minutes: string }[]>(
      `select coalesce(sum((cost_breakdown->'plan'->>'freeMinutes')::numeric), 0)::text as minutes
         from "session"."charging_session"
        where user_id = ? and id <> ? and cost_breakdown->'plan'->>'chargeId' = ?`,
      [session.userId, session.id, row.charge_id],
    );
    freeMinutesLeft = Math.max(0, row.free_minutes - Number(used!.minutes));
  }
  return {
    chargeId: row.charge_id,
    planId: row.plan_id,
    name: row.name,
    energyDiscountPerKwhMicros: Number(row.energy_discount_per_kwh_micros),
    freeMinutesLeft,
  };
}

/**
 * Renews subscriptions and looks after their charges, every `pollMs`:
 * - ACTIVE subscriptions whose period is over: ended when cancelled, their plan retired, or the period's
 *   fee FAILED (UNPAID); otherwise the next period begins and its fee is numbered and queued;
 * - PENDING charges a minute old are queued again (the first enqueue may have been lost: a no-op when
 *   the job is there), SUBMITTED ones left `stuckMs` too;
 * - FAILED charges the payer can clear (limits, escrow) are queued again once the chain shows they can
 *   be paid, while their period lasts.
 * Replicas may run it at once: subscriptions are taken FOR UPDATE SKIP LOCKED, and every re-queue is
 * safe (the worker asks the chain before it sends).
 */
export class PlanBilling {
  private readonly poller: Poller;

  constructor(
    private readonly deps: Omit<PlanDeps, 'currency'> & {
      em: () => EntityManager;
      pollMs: number;
      stuckMs: number;
    },
  ) {
    this.poller = new Poller({
      everyMs: deps.pollMs,
      pass: () => this.pass(new Date()),
      logger: deps.logger,
      failure: 'plan renewals not done; again next check',
    });
  }

  start(): void {
    this.poller.start();
  }

  stop(): Promise<void> {
    return this.poller.stop();
  }

  /** One pass now (after the one in progress). */
  tick(): Promise<void> {
    return this.poller.tick();
  }

  async pass(now: Date): Promise<{ renewed: number; ended: number; requeued: number }> {
    let renewed = 0;
    let ended = 0;
    for (;;) {
      const due = await this.renewSome(now);
      renewed += due.renewed;
      ended += due.ended;
      if (due.seen < 50) break;
    }
    const requeued = await this.requeue(now);
    if (renewed || ended || requeued)
      this.deps.logger.info({ renewed, ended, requeued }, 'plan billing pass');
    return { renewed, ended, requeued };
  }

  private async renewSome(now: Date): Promise<{ seen: number; renewed: number; ended: number }> {
    const em = this.deps.em();
    const charges: PlanCharge[] = [];
    let renewed = 0;
    let ended = 0;
    let seen = 0;
    // The deployment's domain only when a fee is to be numbered (a platform without a chain renews nothing).
    let domain: LedgerDomain | undefined;
    await em.transactional(async (tx) => {
      const due = await tx.find(
        PlanSubscription,
        { status: PlanSubscriptionStatus.ACTIVE, periodEnd: { $lte: now } },
        { orderBy: { periodEnd: 'asc' }, limit: 50, lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE },
      );
      seen = due.length;
      for (const s of due) {
        const plan = await tx.findOneOrFail(Plan, { id: s.planId });
        const current = await tx.findOne(PlanCharge, { subscriptionId: s.id, periodStart: s.periodStart });
        const why = s.cancelAtPeriodEnd
          ? 'CANCELLED'
          : plan.retiredAt
            ? 'PLAN_RETIRED'
            : current?.status === 'FAILED'
              ? 'UNPAID'
              : null;
        if (why) {
          s.status = PlanSubscriptionStatus.ENDED;
          s.endedAt = s.periodEnd;
          s.endReason = why;
          ended++;
          continue;
        }
        // The wallets as linked now (a driver may have changed its wallet since the last period).
        const wallets = await this.deps.users.primaryWallets([s.userId, s.operatorId]);
        const payer = wallets.find((w) => w.userId === s.userId)?.address;
        const payee = wallets.find((w) => w.userId === s.operatorId)?.address;
        if (!payer || !payee) {
          s.status = PlanSubscriptionStatus.ENDED;
          s.endedAt = s.periodEnd;
          s.endReason = 'UNPAID';
          ended++;
          continue;
        }
        s.periods += 1;
        s.periodStart = s.periodEnd;
        s.periodEnd = addMonths(s.startedAt, s.periods);
        await tx.flush();
        domain ??= await this.deps.domain();
        charges.push(await numberCharge(tx, domain, s, plan, { payer, payee }));
        renewed++;
      }
      await tx.flush();
    });
    for (const c of charges) await enqueueCharge(this.deps.queue, c);
    return { seen, renewed, ended };
  }

  private async requeue(now: Date): Promise<number> {
    const em = this.deps.em();
    let n = 0;
    const pending = await em.find(
      PlanCharge,
      {
        $or: [
          { status: 'PENDING', updatedAt: { $lt: new Date(now.getTime() - 60_000) } },
          { status: 'SUBMITTED', updatedAt: { $lt: new Date(now.getTime() - this.deps.stuckMs) } },
        ],
      },
      { limit: 100 },
    );
    for (const c of pending) {
      if (c.status === 'SUBMITTED') {
        const moved = await em.nativeUpdate(
          PlanCharge,
          { id: c.id, status: 'SUBMITTED' },
          { status: 'PENDING', updatedAt: now },
        );
        if (!moved) continue;
        await enqueueCharge(this.deps.queue, c, jobId(c.id, 'retry', now.getTime()));
      } else await enqueueCharge(this.deps.queue, c);
      n++;
    }
    const failed = await em.find(
      PlanCharge,
      { status: 'FAILED', failureReason: { $in: CLEARABLE_FAILURES }, periodEnd: { $gt: now } },
      { limit: 100 },
    );
    for (const c of failed) {
      const limits = await this.deps.chain.limitsOf(c.payer);
      const amount = BigInt(c.amountMicros);
      if (limits.recordLimit < amount || limits.spendableToday < amount) continue;
      const moved = await em.nativeUpdate(
        PlanCharge,
        { id: c.id, status: 'FAILED' },
        { status: 'PENDING', failureReason: null, updatedAt: now },
      );
      if (!moved) continue;
      await enqueueCharge(this.deps.queue, c, jobId(c.id, 'retry', now.getTime()));
      n++;
    }
    return n;
  }
}
