import { Migration } from '@mikro-orm/migrations';

/** Firmware and diagnostics status reported by chargers. */
export class Migration20261122000600 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "station"."charger" add column "firmware_status" text null, add column "diagnostics_status" text null;`,
    );
  }
}
