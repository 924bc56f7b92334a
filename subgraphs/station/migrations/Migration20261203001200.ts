import { Migration } from '@mikro-orm/migrations';

/** Local authorization lists: what each charger's list holds, and its version, as the charger accepted them. */
export class Migration20261203001200 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "station"."charger" add column "local_list_version" int not null default 0;`);
    this.addSql(`create table "station"."charger_local_list" (
      "charger_id" uuid not null references "station"."charger" ("id") on delete cascade,
      "id_token" text not null,
      "status" text not null,
      "expires_at" timestamptz null,
      primary key ("charger_id", "id_token"));`);
    this.addSql(
      `create index "charger_local_list_id_token_index" on "station"."charger_local_list" ("id_token");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "station"."charger_local_list";`);
    this.addSql(`alter table "station"."charger" drop column "local_list_version";`);
  }
}
