import { Migration } from '@mikro-orm/migrations';

/** Charger alerts can be acknowledged: who and when. */
export class Migration20261203001400 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "station"."charger_alert"
      add column "acknowledged_at" timestamptz null, add column "acknowledged_by" uuid null;`);
  }

  override async down(): Promise<void> {
    this.addSql(
      `alter table "station"."charger_alert" drop column "acknowledged_at", drop column "acknowledged_by";`,
    );
  }
}
