import { Migration } from '@mikro-orm/migrations';

/** Drivers' vehicles (the plugs they take, how fast they charge). */
export class Migration20261201000100 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "identity"."vehicle" (
      "id" uuid not null primary key,
      "owner_id" uuid not null references "identity"."user" ("id") on delete cascade,
      "make" text not null,
      "model" text not null,
      "battery_wh" integer not null check ("battery_wh" > 0),
      "connector_types" text[] not null,
      "max_ac_power_w" integer not null check ("max_ac_power_w" >= 0),
      "max_dc_power_w" integer null check ("max_dc_power_w" > 0),
      "created_at" timestamptz not null);`);
    this.addSql(`create index "vehicle_owner_id_index" on "identity"."vehicle" ("owner_id");`);
  }
}
