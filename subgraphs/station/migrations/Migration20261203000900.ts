import { Migration } from '@mikro-orm/migrations';

/** Reservations (OCPP ReserveNow): at most one PENDING or ACTIVE per EVSE. */
export class Migration20261203000900 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create sequence "station"."reservation_ocpp_id_seq" start 1;`);
    this.addSql(`create table "station"."reservation" (
      "id" uuid not null primary key,
      "ocpp_id" int not null unique,
      "charger_id" uuid not null references "station"."charger" ("id") on delete cascade,
      "evse_id" int not null,
      "user_id" uuid not null,
      "id_token" text not null,
      "expires_at" timestamptz not null,
      "status" text not null check ("status" in ('PENDING', 'ACTIVE', 'USED', 'CANCELLED', 'EXPIRED', 'REJECTED')),
      "charger_answer" text null,
      "transaction_id" text null,
      "created_at" timestamptz not null,
      "updated_at" timestamptz not null);`);
    this
      .addSql(`create unique index "reservation_one_per_evse" on "station"."reservation" ("charger_id", "evse_id")
      where "status" in ('PENDING', 'ACTIVE');`);
    this.addSql(
      `create index "reservation_user_id_index" on "station"."reservation" ("user_id", "created_at");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "station"."reservation";`);
    this.addSql(`drop sequence if exists "station"."reservation_ocpp_id_seq";`);
  }
}
