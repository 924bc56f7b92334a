import { Migration } from '@mikro-orm/migrations';

const STATUSES = `'UNKNOWN','AVAILABLE','PREPARING','CHARGING','SUSPENDED_EV','SUSPENDED_EVSE','FINISHING','OCCUPIED','RESERVED','UNAVAILABLE','FAULTED'`;

/** Stations, chargers and connectors. */
export class Migration20261122000100 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "station"."station" (
      "id" uuid not null primary key,
      "name" text not null,
      "address" text not null,
      "latitude" double precision not null check ("latitude" between -90 and 90),
      "longitude" double precision not null check ("longitude" between -180 and 180),
      "operator_id" uuid not null,
      "timezone" text not null,
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null);`);
    this.addSql(
      `create index "station_operator_id_name_index" on "station"."station" ("operator_id", "name", "id");`,
    );
    this.addSql(
      `create index "station_latitude_longitude_index" on "station"."station" ("latitude", "longitude");`,
    );
    this.addSql(`create index "station_name_id_index" on "station"."station" ("name", "id");`);
    this.addSql(`create table "station"."charger" (
      "id" uuid not null primary key,
      "identity" text not null constraint "charger_identity_unique" unique,
      "station_id" uuid not null references "station"."station" ("id") on delete cascade,
      "password_hash" text not null,
      "vendor" text null,
      "model" text null,
      "serial_number" text null,
      "firmware_version" text null,
      "protocol" text null check ("protocol" in ('OCPP16', 'OCPP201')),
      "status" text not null default 'UNKNOWN' check ("status" in (${STATUSES})),
      "status_at" timestamptz null,
      "last_seen_at" timestamptz null,
      "created_at" timestamptz not null);`);
    this.addSql(`create index "charger_station_id_index" on "station"."charger" ("station_id");`);
    this.addSql(`create table "station"."connector" (
      "id" uuid not null primary key,
      "charger_id" uuid not null references "station"."charger" ("id") on delete cascade,
      "evse_id" int not null,
      "connector_id" int not null,
      "type" text not null check ("type" in ('CCS1','CCS2','TYPE1','TYPE2','CHADEMO','GBT','NACS','DOMESTIC')),
      "max_power_kw" double precision not null,
      "status" text not null default 'UNKNOWN' check ("status" in (${STATUSES})),
      "status_at" timestamptz null,
      constraint "connector_charger_id_evse_id_connector_id_unique" unique ("charger_id", "evse_id", "connector_id"));`);
  }
}
