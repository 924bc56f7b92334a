import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { abiOf } from '../../../lib/chain/contracts.js';
import { parseMoney, formatMoney } from '../services/money.js';
import {
  REFUND_COLUMNS,
  REFUND_FROM,
  refundLedgerMessage,
  RefundService,
  type RefundRow,
} from '../services/refunds.js';
import {
  checkRecordNumber,
  checkRecordPage,
  RecordPageArgs,
  periodOf,
  recordPage,
} from '../../../lib/ledger-graphql.js';
import { hasRole, Role } from '../../../lib/auth.js';
import { badInput, forbidden, notFound } from '../../../lib/errors.js';
import { ledgerDomain, ledgerTypedData, type LedgerDomain } from '../../../lib/ledger.js';
import { ChargingSession } from '../entities/charging-session.entity.js';
import type { SessionContext } from '../context.js';
import { sessionLedgerMessage } from '../services/ledger-record.js';
import { planFeeLedgerMessage } from '../services/plans.js';
import { PlanCharge } from '../entities/plan.entity.js';
import {
  LedgerSummary,
  PlanFeeLedgerPage,
  PlanFeeLedgerRecord,
  RefundLedgerPage,
  RefundLedgerRecord,
  RefundRequest,
  SessionLedgerPage,
  SessionLedgerRecord,
} from './types/ledger.types.js';
import { ARG } from '../../../lib/arg-descriptions.js';

/** A numbered session as a ledger record; the chain's fields are filled by settlementProof only. */
function ledgerRecordOf(domain: LedgerDomain, s: ChargingSession): SessionLedgerRecord {
  const party = { recordId: s.settlementRecordId!, payer: s.settlementPayer!, payee: s.settlementPayee! };
  return {
    recordId: s.settlementRecordId!,
    sessionId: s.id,
    status: s.settlementStatus!,
    typedData: JSON.stringify(ledgerTypedData('ChargingSession', domain, sessionLedgerMessage(s, party))),
    recordHash: s.settlementRecordHash!,
    txHash: s.settlementTxHash,
    blockNumber: s.settlementBlock,
    logIndex: null,
    confirmations: null,
  };
}

/** A plan fee as a ledger record; the chain's fields are filled by planFeeProof only. */
function planFeeRecordOf(domain: LedgerDomain, c: PlanCharge): PlanFeeLedgerRecord {
  return {
    recordId: c.recordId,
    chargeId: c.id,
    amount: formatMoney(c.amountMicros),
    status: c.status,
    typedData: JSON.stringify(ledgerTypedData('PlanFee', domain, planFeeLedgerMessage(c))),
    recordHash: c.recordHash,
    txHash: c.txHash,
    blockNumber: c.block,
    logIndex: null,
    confirmations: null,
  };
}

/** A refund as a ledger record. */
function refundRecordOf(domain: LedgerDomain, r: RefundRow): RefundLedgerRecord {
  return {
    recordId: r.record_id,
    sessionId: r.session_id,
    amount: formatMoney(Number(r.amount)),
    status: r.status,
    typedData: JSON.stringify(ledgerTypedData('SessionRefund', domain, refundLedgerMessage(r))),
    recordHash: r.record_hash,
    txHash: r.tx_hash,
    blockNumber: r.block == null ? null : Number(r.block),
    logIndex: null,
    confirmations: null,
  };
}

/** The ledger as auditors read it: every numbered session as a record of docs/ledger-format.md. */
@Resolver()
export class LedgerResolver {
  @Authorized(Role.AUDITOR, Role.ADMIN)
  @Query(() => SessionLedgerPage, {
    description:
      'Every numbered charging session as a ledger record, in record-number order (auditors and admins). ' +
      'Page with `after` = the previous page’s nextCursor; `first` 1–1,000.',
  })
  async sessionLedger(
    @Ctx() ctx: SessionContext,
    @Args(() => RecordPageArgs) { first, after }: RecordPageArgs,
  ): Promise<SessionLedgerPage> {
    checkRecordPage(first, after);
    const domain = ledgerDomain((await ctx.chain.load()).deployment);
    const rows = await ctx.em.find(
      ChargingSession,
      { settlementRecordId: { $ne: null, ...(after ? { $gt: after } : {}) } },
      { orderBy: { settlementRecordId: 'asc' }, limit: first + 1 },
    );
    const { page, nextCursor } = recordPage(rows, first, (r) => r.settlementRecordId!);
    return { records: page.map((s) => ledgerRecordOf(domain, s)), nextCursor };
  }

  @Authorized()
  @Query(() => SessionLedgerRecord, {
    description:
      'One settled session’s record (docs/ledger-format.md), its hash, and the transaction, block, log index ' +
      'and confirmations of its SessionSettled event, so that anyone can check it with a block explorer: ' +
      'auditors, admins, and the session’s driver and operator. NOT_FOUND for an unknown record number.',
  })
  async settlementProof(
    @Ctx() ctx: SessionContext,
    @Arg('recordId', () => ID, { description: ARG.recordId })
    recordId: string,
  ): Promise<SessionLedgerRecord> {
    checkRecordNumber(recordId);
    const s = await ctx.em.findOne(ChargingSession, { settlementRecordId: recordId });
    if (!s) throw notFound('Settlement record', recordId);
    const v = ctx.viewer;
    const party = v.userId != null && (s.userId === v.userId || s.operatorId === v.userId);
    if (!party && !hasRole(v, Role.AUDITOR) && !hasRole(v, Role.ADMIN))
      throw forbidden('Only auditors, admins and the session’s driver and operator may read its proof');
    const domain = ledgerDomain((await ctx.chain.load()).deployment);
    const record = ledgerRecordOf(domain, s);
    if (!s.settlementTxHash) return record;
    const log = await ctx.chain.settlementLog('session', recordId, s.settlementTxHash);
    return { ...record, logIndex: log?.logIndex ?? null, confirmations: log?.confirmations ?? 0 };
  }

  @Authorized(Role.AUDITOR, Role.ADMIN)
  @Query(() => LedgerSummary, {
    description:
      'Counts and sums of the ledger per record kind over [from, to) (auditors and admins); at most a year. ' +
      'The trade fields come from the energy-trading subgraph.',
  })
  async ledgerSummary(
    @Ctx() ctx: SessionContext,
    @Arg('from', { description: ARG.from }) from: Date,
    @Arg('to', { description: ARG.to }) to: Date,
  ): Promise<LedgerSummary> {
    periodOf(from, to);
    const [row] = await ctx.em.execute<
      { records: string; confirmed: string; amount: string; fees: string }[]
    >(
      `select count(*) as records,
              count(*) filter (where settlement_status = 'CONFIRMED') as confirmed,
              coalesce(sum(cost_micros) filter (where settlement_status = 'CONFIRMED'), 0)::text as amount,
              coalesce(sum(settlement_fee) filter (where settlement_status = 'CONFIRMED'), 0)::text as fees
         from "session"."charging_session"
        where settlement_record_id is not null and stopped_at >= ? and stopped_at < ?`,
      [from, to],
    );
    const [plans] = await ctx.em.execute<
      { records: string; confirmed: string; amount: string; fees: string }[]
    >(
      `select count(*) as records,
              count(*) filter (where status = 'CONFIRMED') as confirmed,
              coalesce(sum(amount_micros) filter (where status = 'CONFIRMED'), 0)::text as amount,
              coalesce(sum(fee) filter (where status = 'CONFIRMED'), 0)::text as fees
         from "session"."plan_charge"
        where period_start >= ? and period_start < ?`,
      [from, to],
    );
    return {
      from,
      to,
      sessionRecords: Number(row!.records),
      sessionsConfirmed: Number(row!.confirmed),
      sessionAmount: row!.amount,
      sessionFees: row!.fees,
      planFeeRecords: Number(plans!.records),
      planFeesConfirmed: Number(plans!.confirmed),
      planFeeAmount: plans!.amount,
      planFeePlatformFees: plans!.fees,
    };
  }

  @Authorized(Role.AUDITOR, Role.ADMIN)
  @Query(() => PlanFeeLedgerPage, {
    description:
      'Every numbered plan fee as a ledger record, in record-number order (auditors and admins). Page with ' +
      '`after` = the previous page’s nextCursor; `first` 1–1,000.',
  })
  async planFeeLedger(
    @Ctx() ctx: SessionContext,
    @Args(() => RecordPageArgs) { first, after }: RecordPageArgs,
  ): Promise<PlanFeeLedgerPage> {
    checkRecordPage(first, after);
    const domain = ledgerDomain((await ctx.chain.load()).deployment);
    const rows = await ctx.em.find(PlanCharge, after ? { recordId: { $gt: after } } : {}, {
      orderBy: { recordId: 'asc' },
      limit: first + 1,
    });
    const { page, nextCursor } = recordPage(rows, first, (r) => r.recordId);
    return { records: page.map((c) => planFeeRecordOf(domain, c)), nextCursor };
  }

  @Authorized()
  @Query(() => PlanFeeLedgerRecord, {
    description:
      'One plan fee’s record (docs/ledger-format.md, PlanFee), its hash, and the transaction, block, log index and ' +
      'confirmations of its PlanFeeSettled event: auditors, admins, and the subscriber and operator. NOT_FOUND for ' +
      'an unknown record number.',
  })
  async planFeeProof(
    @Ctx() ctx: SessionContext,
    @Arg('recordId', () => ID, { description: ARG.recordId })
    recordId: string,
  ): Promise<PlanFeeLedgerRecord> {
    checkRecordNumber(recordId);
    const c = await ctx.em.findOne(PlanCharge, { recordId });
    const v = ctx.viewer;
    const party = !!c && v.userId != null && (c.userId === v.userId || c.operatorId === v.userId);
    if (!c || (!party && !hasRole(v, Role.AUDITOR) && !hasRole(v, Role.ADMIN)))
      throw notFound('Plan fee record', recordId);
    const domain = ledgerDomain((await ctx.chain.load()).deployment);
    const record = planFeeRecordOf(domain, c);
    if (!c.txHash) return record;
    const log = await ctx.chain.settlementLog('planFee', recordId, c.txHash);
    return { ...record, logIndex: log?.logIndex ?? null, confirmations: log?.confirmations ?? 0 };
  }

  @Authorized(Role.OPERATOR)
  @Mutation(() => RefundRequest, {
    description:
      'Numbers a refund of (part of) a CONFIRMED session for its operator: `amount` (decimal, the session ' +
      'currency) at most what the session cost less its other refunds, `reason` 3–500 characters. The operator ' +
      'sends the returned call from the wallet the session paid; the refund comes out of that wallet’s credits ' +
      'and is CONFIRMED once the chain has recorded it. CONFLICT when the session is not settled or the amount ' +
      'is too large.',
  })
  async prepareRefund(
    @Ctx() ctx: SessionContext,
    @Arg('sessionId', () => ID, { description: ARG.sessionId }) sessionId: string,
    @Arg('amount', {
      description:
        'The amount to refund, a decimal in the settlement currency (e.g. "1.25"), above 0 and at most what was paid.',
    })
    amount: string,
    @Arg('reason', { description: 'Why, for the record: 3 to 500 characters.' }) reason: string,
  ): Promise<RefundRequest> {
    const session = await ctx.sessions.get(sessionId, ctx.viewer);
    const micros = parseMoney(amount, 'amount');
    if (micros <= 0) throw badInput('amount must be above 0', 'amount');
    const why = reason.trim();
    if (why.length < 3 || why.length > 500) throw badInput('reason must be 3 to 500 characters', 'reason');
    const domain = ledgerDomain((await ctx.chain.load()).deployment);
    const { row, to, data } = await new RefundService(ctx.em).prepare(
      session,
      ctx.viewer.userId!,
      micros,
      why,
      {
        domain,
        abi: await abiOf('PaymentLedger'),
      },
    );
    return { record: refundRecordOf(domain, row), from: row.operator_wallet, to, data };
  }

  @Authorized(Role.AUDITOR, Role.ADMIN)
  @Query(() => RefundLedgerPage, {
    description:
      'Every numbered refund as a ledger record, in record-number order (auditors and admins). Page with ' +
      '`after` = the previous page’s nextCursor; `first` 1–1,000.',
  })
  async refundLedger(
    @Ctx() ctx: SessionContext,
    @Args(() => RecordPageArgs) { first, after }: RecordPageArgs,
  ): Promise<RefundLedgerPage> {
    checkRecordPage(first, after);
    const domain = ledgerDomain((await ctx.chain.load()).deployment);
    const rows = await ctx.em.execute<RefundRow[]>(
      `select ${REFUND_COLUMNS} from ${REFUND_FROM} where f.record_id > ? order by f.record_id limit ?`,
      [after ?? '0', first + 1],
    );
    const { page, nextCursor } = recordPage(rows, first, (r) => r.record_id);
    return { records: page.map((r) => refundRecordOf(domain, r)), nextCursor };
  }
}
