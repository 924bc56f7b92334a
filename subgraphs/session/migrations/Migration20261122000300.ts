import { Migration } from '@mikro-orm/migrations';

/** Charging sessions, their meter time series, and tariffs. */
export class Migration20261122000300 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "session"."charging_session" (
      "id" uuid not null primary key,
      "charger_id" uuid not null,
      "charger_identity" text not null,
      "station_id" uuid not null,
      "operator_id" uuid not null,
      "transaction_id" text not null,
      "evse_id" int not null,
      "connector_id" int not null,
      "id_token" text null,
      "user_id" uuid null,
      "status" text not null default 'ACTIVE' check ("status" in ('ACTIVE', 'COMPLETED')),
      "started_at" timestamptz not null,
      "stopped_at" timestamptz null,
      "meter_start_wh" int not null,
      "meter_stop_wh" int null,
      "energy_wh" int not null default 0,
      "power_w" int null,
      "soc" int null,
      "last_meter_at" timestamptz null,
      "last_energy_at" timestamptz null,
      "stop_reason" text null,
      "tariff_id" uuid null,
      "cost_micros" bigint null,
      "cost_breakdown" jsonb null,
      "currency" text not null,
      "idle_minutes" double precision null,
      "created_at" timestamptz not null,
      constraint "charging_session_charger_identity_transaction_id_unique" unique ("charger_identity", "transaction_id"));`);
    this.addSql(
      `create index "charging_session_user_id_started_at_index" on "session"."charging_session" ("user_id", "started_at");`,
    );
    this.addSql(
      `create index "charging_session_operator_id_started_at_index" on "session"."charging_session" ("operator_id", "started_at");`,
    );
    this.addSql(
      `create index "charging_session_active_charger_index" on "session"."charging_session" ("charger_id") where "status" = 'ACTIVE';`,
    );
    this.addSql(
      `create index "charging_session_started_at_index" on "session"."charging_session" ("started_at", "id");`,
    );
    this.addSql(`create table "session"."meter_value" (
      "id" bigserial primary key,
      "session_id" uuid not null references "session"."charging_session" ("id") on delete cascade,
      "timestamp" timestamptz not null,
      "energy_wh" int null,
      "power_w" double precision null,
      "soc" double precision null,
      constraint "meter_value_session_id_timestamp_unique" unique ("session_id", "timestamp"));`);
    this.addSql(`create table "session"."tariff" (
      "id" uuid not null primary key,
      "name" text not null,
      "operator_id" uuid not null,
      "station_id" uuid not null,
      "charger_id" uuid null,
      "evse_id" int null,
      "currency" text not null,
      "per_kwh_micros" bigint not null,
      "per_minute_micros" bigint not null,
      "session_fee_micros" bigint not null,
      "idle_fee_per_minute_micros" bigint not null,
      "idle_grace_minutes" int not null,
      "created_at" timestamptz not null);`);
    this.addSql(`create index "tariff_station_id_index" on "session"."tariff" ("station_id", "created_at");`);
  }
}
