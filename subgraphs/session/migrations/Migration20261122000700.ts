import { Migration } from '@mikro-orm/migrations';

/** On-chain settlement of sessions: record numbers come from a sequence, so none is used twice. */
export class Migration20261122000700 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create sequence "session"."settlement_record_seq" start 1;`);
    this.addSql(`alter table "session"."charging_session"
      add column "settlement_record_id" bigint null constraint "charging_session_settlement_record_id_unique" unique,
      add column "settlement_status" text null check ("settlement_status" in ('PENDING', 'SUBMITTED', 'CONFIRMED', 'FAILED')),
      add column "settlement_payer" text null,
      add column "settlement_payee" text null,
      add column "settlement_record_hash" text null,
      add column "settlement_tx_hash" text null,
      add column "settlement_block" int null,
      add column "settlement_fee" bigint null,
      add column "settlement_failure_reason" text null;`);
  }
}
