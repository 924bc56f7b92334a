import { Migration } from '@mikro-orm/migrations';

/** Communities: the local energy markets. */
export class Migration20261201000200 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "market"."community" (
      "id" uuid not null primary key,
      "name" text not null,
      "timezone" text not null,
      "interval_minutes" integer not null check ("interval_minutes" between 5 and 60 and 60 % "interval_minutes" = 0),
      "gate_closure_minutes" integer not null check ("gate_closure_minutes" between 0 and 60),
      "price_floor_per_kwh" integer not null check ("price_floor_per_kwh" >= 0),
      "price_cap_per_kwh" integer not null,
      "operator_id" uuid not null,
      "created_at" timestamptz not null,
      check ("price_cap_per_kwh" >= "price_floor_per_kwh"));`);
    this.addSql(`create index "community_operator_id_index" on "market"."community" ("operator_id");`);
  }
}
