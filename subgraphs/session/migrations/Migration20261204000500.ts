import { Migration } from '@mikro-orm/migrations';

/** Monthly invoices, and the counters that number them without gaps per issuer and year. */
export class Migration20261204000500 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "session"."invoice" (
      "id" uuid primary key,
      "number" text not null unique,
      "kind" text not null check ("kind" in ('CHARGING', 'PLATFORM_FEES')),
      "issuer_id" uuid not null,
      "recipient_id" uuid not null,
      "period" text not null,
      "currency" text not null,
      "total_micros" bigint not null,
      "lines" jsonb not null,
      "issued_at" timestamptz not null,
      constraint "invoice_once" unique ("kind", "issuer_id", "recipient_id", "period", "currency"));`);
    this.addSql(`create index "invoice_recipient" on "session"."invoice" ("recipient_id", "issued_at");`);
    this.addSql(`create index "invoice_issuer" on "session"."invoice" ("issuer_id", "issued_at");`);
    this.addSql(`create table "session"."invoice_counter" (
      "issuer_id" uuid not null, "year" int not null, "last" int not null,
      primary key ("issuer_id", "year"));`);
    // Months whose invoices the scheduler has issued (an admin's issueInvoices may run again anyway).
    this.addSql(
      `create table "session"."invoice_run" ("period" text primary key, "finished_at" timestamptz not null);`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table "session"."invoice_run";`);
    this.addSql(`drop table "session"."invoice_counter";`);
    this.addSql(`drop table "session"."invoice";`);
  }
}
