import { Migration } from '@mikro-orm/migrations';

/**
 * What a session's start said about it (issue 17): the id-token status the charger was told, whether
 * the start was inferred from a later 2.0.1 TransactionEvent (its Started never arrived), where its
 * start register comes from, and the anomalies that keep it from being billed unless an
 * operator decides so. EVSE 0 now means "not said yet" (a 2.0.1 Started without `evse`).
 */
export class Migration20261203000600 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "session"."charging_session"
      add column "token_status" text null,
      add column "start_inferred" boolean not null default false,
      add column "meter_start_source" text not null default 'START'
        check ("meter_start_source" in ('START', 'LOWEST_READING', 'NONE')),
      add column "anomalies" jsonb not null default '[]';`);
    this.addSql(`create index "charging_session_active_evse_index" on "session"."charging_session"
      ("charger_id", "evse_id") where "status" = 'ACTIVE';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "session"."charging_session_active_evse_index";`);
    this.addSql(`alter table "session"."charging_session"
      drop column "token_status", drop column "start_inferred", drop column "meter_start_source",
      drop column "anomalies";`);
  }
}
