import { Poller } from '../../../lib/poller.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import PDFDocument from 'pdfkit';
import type { Redis } from 'ioredis';
import { hasRole, Role, type Viewer } from '../../../lib/auth.js';
import { DOWNLOAD_PATH_PREFIX, issueDownload, type DownloadRoute } from '../../../lib/downloads.js';
import { badInput, notFound } from '../../../lib/errors.js';
import { isUuid } from '../../../lib/ids.js';
import type { Logger } from '../../../lib/logger.js';
import { decodeCursor, pageSize, toConnection } from '../../../lib/pagination.js';
import { Invoice, InvoiceKind, PLATFORM_ISSUER, type InvoiceLineData } from '../entities/invoice.entity.js';
import { formatMoney } from './money.js';

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;
const INVOICE_PDF = new RegExp(`^${DOWNLOAD_PATH_PREFIX}invoices/([0-9a-f-]{36})\\.pdf$`);

/** The issuer's series in invoice numbers: the platform's, or one per operator. */
const seriesOf = (issuerId: string) =>
  issuerId === PLATFORM_ISSUER ? 'GL' : `OP-${issuerId.slice(0, 8).toUpperCase()}`;

interface Group {
  issuer_id: string;
  recipient_id: string;
  currency: string;
  lines: InvoiceLineData[];
}

/**
 * Issues a month's invoices (idempotent: one per kind, issuer, recipient, month and currency):
 * - CHARGING, operator → driver: every COMPLETED session of the driver at the operator's stations that
 *   started in the month (the station's local month), its cost, and the transaction that settled it
 *   (null while not settled when the invoice is issued); and every fee of the driver's subscription
 *   plans with the operator whose period started in the month (UTC), with its transaction;
 * - PLATFORM_FEES, platform → operator: the platform's fee on each of the operator's sessions and plan
 *   fees whose settlement was confirmed, with its transaction.
 * Each invoice takes the next number of its issuer's series for the year, in its own transaction, so
 * numbers have no gaps (a failed issue takes none).
 */
export async function issueMonth(em: EntityManager, period: string): Promise<number> {
  if (!PERIOD.test(period)) throw badInput('period must be a month, YYYY-MM', 'period');
  const utc = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
  const sessionLine = (
    amount: string,
  ) => `json_build_object('sessionId', id, 'startedAt', ${utc('started_at')},
      'stationId', station_id, 'energyWh', energy_wh, 'amountMicros', ${amount}, 'txHash', settlement_tx_hash,
      'settlementStatus', settlement_status)`;
  const planLine = (
    amount: string,
  ) => `json_build_object('sessionId', null, 'planChargeId', c.id, 'planName', p.name,
      'startedAt', ${utc('c.period_start')}, 'stationId', null, 'energyWh', 0, 'amountMicros', ${amount},
      'txHash', c.tx_hash, 'settlementStatus', c.status)`;
  const inMonth = `to_char(started_at at time zone timezone, 'YYYY-MM') = ?
      and started_at >= (?::date - 1)::timestamptz and started_at < ((?::date + interval '1 month')::date + 1)::timestamptz`;
  const planInMonth = `c.period_start >= ?::date::timestamp at time zone 'UTC'
      and c.period_start < (?::date + interval '1 month')::timestamp at time zone 'UTC'`;
  const first = `${period}-01`;
  // Sessions and plan fees of each group, in the order they began.
  const grouped = (issuer: string, recipient: string, sessions: string, plans: string) =>
    `select ${issuer} as issuer_id, ${recipient} as recipient_id, currency,
            json_agg(line order by at, id) as lines
       from (${sessions} union all ${plans}) l
      group by 1, 2, currency`;
  const charging = await em.execute<Group[]>(
    grouped(
      'operator_id',
      'user_id',
      `select operator_id, user_id, currency, started_at as at, id, ${sessionLine('cost_micros')} as line
         from "session"."charging_session"
        where status = 'COMPLETED' and user_id is not null and ${inMonth}`,
      `select c.operator_id, c.user_id, c.currency, c.period_start, c.id, ${planLine('c.amount_micros')}
         from "session"."plan_charge" c join "session"."plan" p on p.id = c.plan_id
        where ${planInMonth}`,
    ),
    [period, first, first, first, first],
  );
  const fees = await em.execute<Group[]>(
    grouped(
      '?::uuid',
      'operator_id',
      `select operator_id, currency, started_at as at, id, ${sessionLine('settlement_fee::bigint')} as line
         from "session"."charging_session"
        where settlement_status = 'CONFIRMED' and settlement_fee is not null and ${inMonth}`,
      `select c.operator_id, c.currency, c.period_start, c.id, ${planLine('c.fee::bigint')}
         from "session"."plan_charge" c join "session"."plan" p on p.id = c.plan_id
        where c.status = 'CONFIRMED' and c.fee is not null and ${planInMonth}`,
    ),
    [PLATFORM_ISSUER, period, first, first, first, first],
  );
  let issued = 0;
  for (const [kind, groups] of [
    [InvoiceKind.CHARGING, charging],
    [InvoiceKind.PLATFORM_FEES, fees],
  ] as const)
    for (const g of groups) if (await issueOne(em, kind, period, g)) issued++;
  return issued;
}

async function issueOne(em: EntityManager, kind: InvoiceKind, period: string, g: Group): Promise<boolean> {
  return em.transactional(async (tx) => {
    // One issue at a time per issuer: the check and the number are taken together.
    await tx.execute(`select pg_advisory_xact_lock(hashtextextended('invoice:' || ?, 0))`, [g.issuer_id]);
    const [exists] = await tx.execute(
      `select 1 from "session"."invoice" where kind = ? and issuer_id = ? and recipient_id = ? and period = ? and currency = ?`,
      [kind, g.issuer_id, g.recipient_id, period, g.currency],
    );
    if (exists) return false;
    const year = new Date().getUTCFullYear();
    const [counter] = await tx.execute<{ last: number }[]>(
      `insert into "session"."invoice_counter" (issuer_id, year, last) values (?, ?, 1)
       on conflict (issuer_id, year) do update set last = "session"."invoice_counter".last + 1 returning last`,
      [g.issuer_id, year],
    );
    const lines = g.lines.map((l) => ({ ...l, amountMicros: Number(l.amountMicros ?? 0) }));
    tx.persist(
      tx.create(Invoice, {
        number: `${seriesOf(g.issuer_id)}-${year}-${String(counter!.last).padStart(6, '0')}`,
        kind,
        issuerId: g.issuer_id,
        recipientId: g.recipient_id,
        period,
        currency: g.currency,
        totalMicros: lines.reduce((n, l) => n + l.amountMicros, 0),
        lines,
      }),
    );
    await tx.flush();
    return true;
  });
}

/**
 * Issues last month's invoices once it is INVOICE_AFTER_DAYS into this one (settlements of its last
 * sessions have landed by then), checking every INVOICE_POLL_MS.
 */
export class InvoiceScheduler {
  private readonly poller: Poller;

  constructor(
    private readonly deps: { em: () => EntityManager; logger: Logger; pollMs: number; afterDays: number },
  ) {
    this.poller = new Poller({
      everyMs: deps.pollMs,
      pass: () => this.pass(new Date()),
      logger: deps.logger,
      failure: 'monthly invoices not issued; again next check',
    });
  }

  start(): void {
    this.poller.start();
  }

  stop(): Promise<void> {
    return this.poller.stop();
  }

  private async pass(now: Date): Promise<void> {
    if (now.getUTCDate() <= this.deps.afterDays) return;
    const prev = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
    const em = this.deps.em();
    const [done] = await em.execute(`select 1 from "session"."invoice_run" where period = ?`, [prev]);
    if (done) return;
    const n = await issueMonth(em, prev);
    await em.execute(
      `insert into "session"."invoice_run" (period, finished_at) values (?, now()) on conflict do nothing`,
      [prev],
    );
    this.deps.logger.info({ period: prev, issued: n }, 'monthly invoices issued');
  }
}

/** Who may read an invoice: its recipient, its issuer, admins and auditors. */
const mayRead = (viewer: Viewer, i: Invoice) =>
  !!viewer.userId &&
  (i.recipientId === viewer.userId ||
    i.issuerId === viewer.userId ||
    hasRole(viewer, Role.ADMIN, Role.AUDITOR));

export class InvoiceService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
    private readonly downloads: { redis: Redis; prefix: string },
  ) {}

  /** The viewer's invoices, received and issued, newest first. */
  async list(first?: number | null, after?: string | null) {
    const limit = pageSize(first);
    const cursor = decodeCursor(after, 2) as [string, string] | null;
    const me = this.viewer.userId!;
    const mine = { $or: [{ recipientId: me }, { issuerId: me }] };
    const rows = await this.em.find(
      Invoice,
      cursor
        ? {
            $and: [
              mine,
              {
                $or: [
                  { issuedAt: { $lt: new Date(cursor[0]) } },
                  { issuedAt: new Date(cursor[0]), id: { $lt: cursor[1] } },
                ],
              },
            ],
          }
        : mine,
      { orderBy: [{ issuedAt: 'desc' }, { id: 'desc' }], limit: limit + 1 },
    );
    return toConnection(rows, limit, (i) => [i.issuedAt.toISOString(), i.id]);
  }

  async get(id: string): Promise<Invoice> {
    const invoice = isUuid(id) ? await this.em.findOne(Invoice, { id }) : null;
    if (!invoice || !mayRead(this.viewer, invoice)) throw notFound('Invoice', id);
    return invoice;
  }

  async download(id: string) {
    const invoice = await this.get(id);
    return issueDownload(this.downloads.redis, this.downloads.prefix, {
      service: 'session',
      path: `${DOWNLOAD_PATH_PREFIX}invoices/${invoice.id}.pdf`,
      viewer: this.viewer,
      filename: `${invoice.number}.pdf`,
      contentType: 'application/pdf',
    });
  }
}

/** `GET /internal/downloads/invoices/<id>.pdf`: the invoice as PDF, for whoever may read it. */
export const invoicePdfRoute: DownloadRoute = async (_req, res, { viewer, em, url }) => {
  const m = INVOICE_PDF.exec(url.pathname);
  if (!m) return false;
  const invoice = await em.findOne(Invoice, { id: m[1]! });
  if (!invoice || !mayRead(viewer, invoice)) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('No such invoice');
    return true;
  }
  res.writeHead(200, { 'content-type': 'application/pdf' });
  const doc = new PDFDocument({ size: 'A4', margin: 48, info: { Title: `Invoice ${invoice.number}` } });
  doc.pipe(res);
  writeInvoice(doc, invoice);
  doc.end();
  // Sent, or the client went away ('close' either way).
  await new Promise<void>((resolve) => res.once('close', resolve));
  return true;
};

/** The invoice's pages: who, when, one row per session with its settlement transaction, the total. */
function writeInvoice(doc: PDFKit.PDFDocument, i: Invoice): void {
  const charging = i.kind === InvoiceKind.CHARGING;
  doc.fontSize(18).text(`Invoice ${i.number}`);
  doc.moveDown(0.5).fontSize(10);
  doc.text(charging ? 'Charging at GridLedger stations' : 'GridLedger platform fees');
  doc.text(`Issuer: ${i.issuerId === PLATFORM_ISSUER ? 'GridLedger platform' : `operator ${i.issuerId}`}`);
  doc.text(`Recipient: ${i.recipientId}`);
  doc.text(
    `Period: ${i.period}    Issued: ${i.issuedAt.toISOString().slice(0, 10)}    Currency: ${i.currency}`,
  );
  doc.moveDown();
  for (const [n, l] of i.lines.entries()) {
    if (doc.y > 740) doc.addPage();
    const what = l.sessionId
      ? `session ${l.sessionId}  station ${l.stationId}  ${(l.energyWh / 1000).toFixed(3)} kWh`
      : `plan ${l.planName ?? ''} monthly fee  charge ${l.planChargeId}`;
    doc
      .fontSize(9)
      .text(
        `${n + 1}. ${l.startedAt}  ${what}  ${charging ? 'cost' : 'fee'} ${formatMoney(l.amountMicros)} ${i.currency}`,
      );
    doc
      .fontSize(8)
      .fillColor('#444')
      .text(
        l.txHash
          ? `   settled in transaction ${l.txHash}`
          : `   not settled when issued (${l.settlementStatus ?? 'pending'})`,
      )
      .fillColor('black');
  }
  doc
    .moveDown()
    .fontSize(12)
    .text(`Total: ${formatMoney(i.totalMicros)} ${i.currency}`);
}
