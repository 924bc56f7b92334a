import {
  Arg,
  Authorized,
  Ctx,
  Field,
  FieldResolver,
  ID,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { Role } from '../../../lib/auth.js';
import { Connection } from '../../../lib/pagination.js';
import type { SessionContext } from '../context.js';
import { Invoice } from '../entities/invoice.entity.js';
import { issueMonth } from '../services/invoices.js';
import { formatMoney } from '../services/money.js';
import { Download } from './types/session.types.js';
import { ARG } from '../../../lib/arg-descriptions.js';

@ObjectType({ description: 'One session, or one subscription plan’s monthly fee, on an invoice.' })
export class InvoiceLine {
  @Field({ description: 'SESSION, or PLAN_FEE (a subscription plan’s monthly fee).' })
  kind!: string;

  @Field(() => ID, { nullable: true, description: 'The session (SESSION lines).' })
  sessionId!: string | null;

  @Field(() => ID, { nullable: true, description: 'The plan period’s charge (PLAN_FEE lines).' })
  planChargeId!: string | null;

  @Field(() => String, { nullable: true, description: 'The plan’s name (PLAN_FEE lines).' })
  planName!: string | null;

  @Field({ description: 'When the session started, or the plan period’s start.' })
  startedAt!: Date;

  @Field(() => ID, { nullable: true, description: 'The session’s station (SESSION lines).' })
  stationId!: string | null;

  @Field({ description: 'Wh, a whole number.' })
  energyWh!: number;

  @Field({ description: 'Its cost (CHARGING) or the platform’s fee on it (PLATFORM_FEES), a decimal.' })
  amount!: string;

  @Field(() => String, {
    nullable: true,
    description: 'The transaction that settled it; null: not settled when issued.',
  })
  txHash!: string | null;
}

@ObjectType({ description: 'A page of invoices (Relay-style).' })
export class InvoiceConnection extends Connection(Invoice) {}

@Resolver(() => Invoice)
export class InvoiceResolver {
  @Authorized()
  @Query(() => InvoiceConnection, {
    description: 'The caller’s invoices, received and issued, newest first.',
  })
  invoices(
    @Ctx() ctx: SessionContext,
    @Arg('first', () => Int, { nullable: true, description: ARG.first })
    first?: number,
    @Arg('after', () => String, {
      nullable: true,
      description: ARG.after,
    })
    after?: string,
  ) {
    return ctx.invoices.list(first, after);
  }

  @Authorized()
  @Mutation(() => Download, {
    description: 'A short-lived link to an invoice as PDF (its recipient, its issuer, admins and auditors).',
  })
  downloadInvoice(
    @Arg('id', () => ID, { description: "The invoice's id." }) id: string,
    @Ctx() ctx: SessionContext,
  ) {
    return ctx.invoices.download(id);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Int, {
    description:
      'Issues a month’s invoices now (YYYY-MM): the ones not issued yet; returns how many. The scheduler does this by itself INVOICE_AFTER_DAYS into the next month. Admins.',
  })
  issueInvoices(
    @Arg('period', { description: 'The month, YYYY-MM (UTC).' }) period: string,
    @Ctx() ctx: SessionContext,
  ) {
    return issueMonth(ctx.em, period);
  }

  @FieldResolver(() => String, { description: 'The sum of its lines, a decimal.' })
  total(@Root() i: Invoice): string {
    return formatMoney(i.totalMicros);
  }

  @FieldResolver(() => [InvoiceLine], { description: 'Its lines, in order.' })
  lines(@Root() i: Invoice): InvoiceLine[] {
    return i.lines.map((l) => ({
      kind: l.sessionId ? 'SESSION' : 'PLAN_FEE',
      sessionId: l.sessionId,
      planChargeId: l.planChargeId ?? null,
      planName: l.planName ?? null,
      startedAt: new Date(l.startedAt),
      stationId: l.stationId,
      energyWh: l.energyWh,
      amount: formatMoney(l.amountMicros),
      txHash: l.txHash,
    }));
  }
}
