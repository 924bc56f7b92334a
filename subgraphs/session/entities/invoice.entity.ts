import { BigIntType, OptionalProps } from '@mikro-orm/core';
import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { randomUUID } from 'node:crypto';

export enum InvoiceKind {
  /** An operator's invoice to a driver: the month's charging at its stations. */
  CHARGING = 'CHARGING',
  /** The platform's invoice to an operator: the month's platform fees on its settled sessions. */
  PLATFORM_FEES = 'PLATFORM_FEES',
}
registerEnumType(InvoiceKind, {
  name: 'InvoiceKind',
  description: "An invoice's kind: charging (operator → driver) or platform fees (platform → operator).",
  valuesConfig: {
    CHARGING: { description: "An operator's invoice to a driver for the month's sessions and plan fees." },
    PLATFORM_FEES: { description: "The platform's invoice to an operator for its fees." },
  },
});

/** The platform, as the issuer of platform-fee invoices. */
export const PLATFORM_ISSUER = '00000000-0000-0000-0000-000000000000';

/**
 * One line: a session, or a subscription plan's monthly fee (`planChargeId`), what it cost (or the
 * platform's fee on it), and the transaction that settled it.
 */
export interface InvoiceLineData {
  /** The session; null on a plan fee's line. */
  sessionId: string | null;
  /** A plan fee's line: the charge (absent on older invoices and on session lines). */
  planChargeId?: string | null;
  /** A plan fee's line: the plan's name. */
  planName?: string | null;
  /** ISO 8601, UTC: when the session started, or the plan period's start. */
  startedAt: string;
  /** The session's station; null on a plan fee's line. */
  stationId: string | null;
  energyWh: number;
  amountMicros: number;
  /** The settlement transaction; null while not settled. */
  txHash: string | null;
  settlementStatus: string | null;
}

/**
 * A monthly invoice, issued once and never changed: its lines are a copy of the sessions as they
 * stood, so its PDF reads the same whenever it is fetched. Numbers run without gaps per issuer and
 * year (`invoice_counter`, taken in the invoice's own transaction).
 */
@ObjectType({
  description:
    'A monthly invoice: an operator’s to a driver for charging, or the platform’s to an operator for its fees.',
})
@Entity({ tableName: 'invoice' })
@Unique({ properties: ['kind', 'issuerId', 'recipientId', 'period', 'currency'] })
@Index({ properties: ['recipientId', 'issuedAt'] })
@Index({ properties: ['issuerId', 'issuedAt'] })
export class Invoice {
  [OptionalProps]?: 'id' | 'issuedAt';

  @Field(() => ID, { description: "The invoice's id." })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field({
    description:
      'Its number: the issuer’s series, the year, and a sequence without gaps, e.g. OP-1A2B3C4D-2026-000007.',
  })
  @Property({ type: 'text', unique: true })
  number!: string;

  @Field(() => InvoiceKind, {
    description: 'CHARGING (a driver’s sessions and plan fees) or PLATFORM_FEES (an operator’s fees).',
  })
  @Property({ type: 'text' })
  kind!: InvoiceKind;

  @Field(() => ID, { description: 'The operator, or the platform (all zeros) for platform fees.' })
  @Property({ type: 'uuid' })
  issuerId!: string;

  @Field(() => ID, { description: 'The account it is addressed to.' })
  @Property({ type: 'uuid' })
  recipientId!: string;

  @Field({ description: 'The month invoiced, YYYY-MM (sessions by the local month they started in).' })
  @Property({ type: 'text' })
  period!: string;

  @Field({ description: 'The currency of its amounts.' })
  @Property({ type: 'text' })
  currency!: string;

  @Property({ type: new BigIntType('number') })
  totalMicros!: number;

  @Property({ type: 'jsonb' })
  lines!: InvoiceLineData[];

  @Field({ description: 'When it was issued.' })
  @Property({ type: 'timestamptz' })
  issuedAt: Date = new Date();
}
