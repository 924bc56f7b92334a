import { Migration } from '@mikro-orm/migrations';

/**
 * Refunds as ledger records of their own: an operator's refund of (part of) a settled session gets a
 * record number from its own sequence and a hash (docs/ledger-format.md SessionRefund) before the
 * operator sends it from the wallet that was paid; the sweeper confirms it from its SessionRefunded event.
 */
export class Migration20261203000500 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create sequence "session"."refund_record_seq" start 1;`);
    this.addSql(`create table "session"."refund" (
      "record_id" bigint not null primary key,
      "session_id" uuid not null references "session"."charging_session" ("id"),
      "operator_wallet" text not null,
      "payer" text not null,
      "amount" bigint not null check ("amount" > 0),
      "reason" text not null,
      "record_hash" text not null,
      "status" text not null default 'PENDING' check ("status" in ('PENDING', 'CONFIRMED', 'FAILED')),
      "tx_hash" text null,
      "block" bigint null,
      "failure_reason" text null,
      "created_at" timestamptz not null);`);
    this.addSql(`create index "refund_session_id_index" on "session"."refund" ("session_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "session"."refund";`);
    this.addSql(`drop sequence if exists "session"."refund_record_seq";`);
  }
}
