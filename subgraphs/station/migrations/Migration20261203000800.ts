import { Migration } from '@mikro-orm/migrations';

/**
 * The OCPP message log: every frame in and out of the bridges, per charger, partitioned by day so that
 * retention drops whole days (services/message-log.service.ts makes and drops the partitions).
 */
export class Migration20261203000800 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create sequence "station"."ocpp_message_seq";`);
    this.addSql(`create table "station"."ocpp_message" (
      "seq" bigint not null default nextval('"station"."ocpp_message_seq"'),
      "charger_identity" text not null,
      "at" timestamptz not null,
      "direction" text not null check ("direction" in ('IN', 'OUT')),
      "message_type" text not null check ("message_type" in ('CALL', 'CALLRESULT', 'CALLERROR', 'INVALID')),
      "message_id" text null,
      "action" text null,
      "frame" text not null
    ) partition by range ("at");`);
    this.addSql(
      `create index "ocpp_message_charger_at_index" on "station"."ocpp_message" ("charger_identity", "at", "seq");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "station"."ocpp_message";`);
    this.addSql(`drop sequence if exists "station"."ocpp_message_seq";`);
  }
}
