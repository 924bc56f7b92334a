import { Migration } from '@mikro-orm/migrations';

/** Maintenance windows: planned downtime of a charger or an EVSE. */
export class Migration20261203001300 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "station"."maintenance_window" (
      "id" uuid not null primary key,
      "charger_id" uuid not null references "station"."charger" ("id") on delete cascade,
      "evse_id" int null,
      "starts_at" timestamptz not null,
      "ends_at" timestamptz not null,
      "reason" text not null,
      "status" text not null check ("status" in ('SCHEDULED', 'ACTIVE', 'DONE', 'CANCELLED')),
      "start_outcome" text null,
      "end_outcome" text null,
      "attempted_at" timestamptz null,
      "created_by" uuid not null,
      "created_at" timestamptz not null,
      check ("ends_at" > "starts_at"));`);
    this.addSql(
      `create index "maintenance_window_charger_index" on "station"."maintenance_window" ("charger_id", "starts_at");`,
    );
    this
      .addSql(`create index "maintenance_window_due_index" on "station"."maintenance_window" ("status", "starts_at")
      where "status" in ('SCHEDULED', 'ACTIVE');`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "station"."maintenance_window";`);
  }
}
