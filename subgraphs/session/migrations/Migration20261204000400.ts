import { Migration } from '@mikro-orm/migrations';

/**
 * Session figures summed per operator, kept by the rollup job beside the station rows; tariffs get
 * time-of-use windows and a cap per session.
 */
export class Migration20261204000400 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "session"."operator_session_rollup" (
      "operator_id" uuid not null,
      "granularity" text not null,
      "label" text not null,
      "currency" text not null,
      "sessions" int not null,
      "energy_wh" bigint not null,
      "revenue_micros" bigint not null,
      primary key ("operator_id", "granularity", "label", "currency"));`);
    this.addSql(`alter table "session"."tariff" add column "windows" jsonb not null default '[]',
      add column "max_cost_micros" bigint null;`);
    this.addSql(`create table "session"."operator_session_rollup_dirty" (
      "operator_id" uuid not null, "granularity" text not null, "label" text not null,
      primary key ("operator_id", "granularity", "label"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "session"."tariff" drop column "windows", drop column "max_cost_micros";`);
    this.addSql(`drop table "session"."operator_session_rollup_dirty";`);
    this.addSql(`drop table "session"."operator_session_rollup";`);
  }
}
