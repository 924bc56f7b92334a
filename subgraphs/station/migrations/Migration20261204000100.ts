import { Migration } from '@mikro-orm/migrations';

/**
 * Reports: every status report kept (the history uptime is computed from), outage exclusions the
 * operator records, and the rollups the report queries read — per port and per station, by UTC hour
 * and by the station's local day — with the hour up to which each station is rolled up.
 */
export class Migration20261204000100 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "station"."connector_status_event" (
      "id" bigserial primary key,
      "charger_id" uuid not null references "station"."charger" ("id") on delete cascade,
      "evse_id" int not null,
      "connector_id" int not null,
      "status" text not null,
      "error_code" text null,
      "at" timestamptz not null,
      constraint "connector_status_event_once" unique ("charger_id", "evse_id", "connector_id", "at", "status"));`);
    this.addSql(`create table "station"."outage_exclusion" (
      "id" uuid primary key,
      "station_id" uuid not null references "station"."station" ("id") on delete cascade,
      "charger_id" uuid null references "station"."charger" ("id") on delete cascade,
      "evse_id" int null,
      "starts_at" timestamptz not null,
      "ends_at" timestamptz not null,
      "reason" text not null,
      "note" text not null,
      "created_by" uuid not null,
      "created_at" timestamptz not null);`);
    this.addSql(
      `create index "outage_exclusion_station_time" on "station"."outage_exclusion" ("station_id", "starts_at");`,
    );
    this.addSql(`create table "station"."report_watermark" (
      "station_id" uuid primary key references "station"."station" ("id") on delete cascade,
      "rolled_until" timestamptz not null,
      "changes" bigint not null default 0);`);
    const figures = `"observed_ms" bigint not null, "down_ms" bigint not null, "excluded_ms" bigint not null,
      "maintenance_ms" bigint not null, "occupied_ms" bigint not null, "faults" jsonb not null`;
    this.addSql(`create table "station"."port_rollup" (
      "station_id" uuid not null references "station"."station" ("id") on delete cascade,
      "granularity" text not null,
      "label" text not null,
      "charger_id" uuid not null,
      "evse_id" int not null,
      "connector_id" int not null,
      ${figures},
      primary key ("station_id", "granularity", "label", "charger_id", "evse_id", "connector_id"));`);
    this.addSql(`create table "station"."station_rollup" (
      "station_id" uuid not null references "station"."station" ("id") on delete cascade,
      "operator_id" uuid not null,
      "granularity" text not null,
      "label" text not null,
      "ports" int not null,
      ${figures},
      primary key ("station_id", "granularity", "label"));`);
    this.addSql(
      `create index "station_rollup_operator" on "station"."station_rollup" ("operator_id", "granularity", "label");`,
    );
  }

  override async down(): Promise<void> {
    for (const t of [
      'station_rollup',
      'port_rollup',
      'report_watermark',
      'outage_exclusion',
      'connector_status_event',
    ])
      this.addSql(`drop table "station"."${t}";`);
  }
}
