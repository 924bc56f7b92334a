import { Migration } from '@mikro-orm/migrations';

/**
 * Holds on drivers' escrow for sessions in progress (services/charge-guard.ts): one row per
 * transaction, reserved at its start and released at its stop. And what the settlement sweeper needs.
 */
export class Migration20261203000300 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "session"."charge_hold" (
      "key" text not null primary key,
      "user_id" uuid not null,
      "amount_micros" bigint not null check ("amount_micros" >= 0),
      "created_at" timestamptz not null,
      "released_at" timestamptz null);`);
    this.addSql(
      `create index "charge_hold_user_open_index" on "session"."charge_hold" ("user_id") where "released_at" is null;`,
    );
    // The settlement sweeper: when the worker last reported, and the statuses it scans.
    this.addSql(
      `alter table "session"."charging_session" add column "settlement_updated_at" timestamptz null;`,
    );
    this.addSql(
      `create index "charging_session_settlement_status_index" on "session"."charging_session" ("settlement_status", "settlement_block") where "settlement_status" is not null;`,
    );
  }
}
