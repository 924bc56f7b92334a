import { Migration } from '@mikro-orm/migrations';

/**
 * Report figures summed per operator (`operator_rollup`), kept by the rollup job beside the station
 * rows: an operator's report for a year of days reads 365 rows instead of one per station and day.
 */
export class Migration20261204000300 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "station"."operator_rollup" (
      "operator_id" uuid not null,
      "granularity" text not null,
      "label" text not null,
      "ports" int not null,
      "observed_ms" bigint not null, "down_ms" bigint not null, "excluded_ms" bigint not null,
      "maintenance_ms" bigint not null, "occupied_ms" bigint not null, "faults" jsonb not null,
      primary key ("operator_id", "granularity", "label"));`);
    // Periods whose operator sums are due again (written with the station rows, summed once a pass).
    this.addSql(`create table "station"."operator_rollup_dirty" (
      "operator_id" uuid not null, "granularity" text not null, "label" text not null,
      primary key ("operator_id", "granularity", "label"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table "station"."operator_rollup_dirty";`);
    this.addSql(`drop table "station"."operator_rollup";`);
  }
}
