import { Migration } from '@mikro-orm/migrations';

/** The reservation a session used (station subgraph's id), when it started on its driver's reserved EVSE. */
export class Migration20261203001000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "session"."charging_session" add column "reservation_id" uuid null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "session"."charging_session" drop column "reservation_id";`);
  }
}
