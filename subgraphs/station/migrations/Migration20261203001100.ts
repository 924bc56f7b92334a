import { Migration } from '@mikro-orm/migrations';

/** Smart charging: a station's power limit, and each connector's share of it as its charger accepted it. */
export class Migration20261203001100 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "station"."station" add column "power_limit_kw" double precision null;`);
    this.addSql(`alter table "station"."connector" add column "power_limit_w" int null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "station"."station" drop column "power_limit_kw";`);
    this.addSql(`alter table "station"."connector" drop column "power_limit_w";`);
  }
}
