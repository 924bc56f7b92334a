import { Directive, Field, Int, ObjectType } from 'type-graphql';
import { LedgerPage, LedgerRecordFields } from '../../../../lib/ledger-graphql.js';

@ObjectType({
  description:
    'A settled charging session as a ledger record (docs/ledger-format.md: EIP-712 typed data ChargingSession, ' +
    'bound to the chain and contract), with where the chain has it (SessionSettled).',
})
export class SessionLedgerRecord extends LedgerRecordFields {
  @Field({ description: 'The session.' })
  sessionId!: string;
}

export const SessionLedgerPage = LedgerPage(
  SessionLedgerRecord,
  'SessionLedgerPage',
  'session ledger records',
);
export type SessionLedgerPage = InstanceType<typeof SessionLedgerPage>;

@ObjectType({
  description:
    'The ledger over a period, per record kind: records numbered for settlement, those CONFIRMED, and the sums ' +
    'of their amounts and platform fees in token base units (auditors and admins). Sessions count by their ' +
    'stop time, trades by their market interval.',
})
@Directive('@key(fields: "from to")')
export class LedgerSummary {
  @Field({ description: 'Start of the range summed (inclusive).' })
  from!: Date;

  @Field({ description: 'End of the range summed (exclusive).' })
  to!: Date;

  @Field(() => Int, { description: 'Charging sessions numbered for settlement that stopped in [from, to).' })
  sessionRecords!: number;

  @Field(() => Int, { description: 'Of those, confirmed on chain.' })
  sessionsConfirmed!: number;

  @Field({ description: 'Σ amount paid by drivers for the CONFIRMED sessions, token base units.' })
  sessionAmount!: string;

  @Field({ description: 'Σ platform fee of the CONFIRMED sessions, token base units.' })
  sessionFees!: string;

  @Field(() => Int, { description: 'Plan fees numbered for settlement whose period started in [from, to).' })
  planFeeRecords!: number;

  @Field(() => Int, { description: 'Of those, confirmed on chain.' })
  planFeesConfirmed!: number;

  @Field({ description: 'Σ plan fees paid by subscribers (CONFIRMED), token base units.' })
  planFeeAmount!: string;

  @Field({ description: 'Σ platform fee of the CONFIRMED plan fees, token base units.' })
  planFeePlatformFees!: string;
}

@ObjectType({
  description:
    'A subscription plan’s monthly fee as a ledger record (docs/ledger-format.md: EIP-712 typed data PlanFee), ' +
    'with where the chain has it (PlanFeeSettled).',
})
export class PlanFeeLedgerRecord extends LedgerRecordFields {
  @Field({ description: 'The charge (one period of one subscription).' })
  chargeId!: string;

  @Field({ description: 'The fee, decimal, in the plan currency.' })
  amount!: string;
}

export const PlanFeeLedgerPage = LedgerPage(
  PlanFeeLedgerRecord,
  'PlanFeeLedgerPage',
  'plan fee ledger records',
);
export type PlanFeeLedgerPage = InstanceType<typeof PlanFeeLedgerPage>;

@ObjectType({
  description:
    'A refund of a settled session as a ledger record (docs/ledger-format.md: EIP-712 typed data SessionRefund), ' +
    'with where the chain has it (SessionRefunded).',
})
export class RefundLedgerRecord extends LedgerRecordFields {
  @Field({ description: 'The refunded session.' })
  sessionId!: string;

  @Field({ description: 'Refunded amount, decimal, in the session currency.' })
  amount!: string;
}

export const RefundLedgerPage = LedgerPage(RefundLedgerRecord, 'RefundLedgerPage', 'refund records');
export type RefundLedgerPage = InstanceType<typeof RefundLedgerPage>;

@ObjectType({
  description:
    'A numbered refund, to be sent by the operator from the wallet the session paid: the transaction `to` ' +
    'and `data` call PaymentLedger.refundSession with the record number and hash. It becomes CONFIRMED once ' +
    'the chain has recorded it.',
})
export class RefundRequest {
  @Field(() => RefundLedgerRecord, { description: 'The refund record the transaction will settle.' })
  record!: RefundLedgerRecord;

  @Field({ description: 'The wallet that must send it (the session’s payee).' })
  from!: string;

  @Field({ description: 'The PaymentLedger contract.' })
  to!: string;

  @Field({
    description: 'The call data of refundSession(recordId, sessionRecordId, payer, amount, recordHash).',
  })
  data!: string;
}
