import { Migration } from '@mikro-orm/migrations';

/** Alerts a charger raised: a status for a connector it was not registered with, a security event. */
export class Migration20261203000700 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "station"."charger_alert" (
      "id" uuid not null primary key,
      "charger_id" uuid not null references "station"."charger" ("id") on delete cascade,
      "kind" text not null check ("kind" in ('UNKNOWN_CONNECTOR', 'SECURITY_EVENT')),
      "evse_id" int null,
      "connector_id" int null,
      "status" text null,
      "error_code" text null,
      "message" text not null,
      "at" timestamptz not null,
      "dedupe_key" text not null unique,
      "created_at" timestamptz not null);`);
    this.addSql(
      `create index "charger_alert_charger_id_at_index" on "station"."charger_alert" ("charger_id", "at");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "station"."charger_alert";`);
  }
}
