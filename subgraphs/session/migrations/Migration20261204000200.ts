import { Migration } from '@mikro-orm/migrations';

/**
 * Reports: a session keeps its station's time zone; completed sessions are rolled up per station by UTC
 * hour and local day (`session_rollup`). The database itself marks the hours to roll up again
 * (`session_rollup_dirty`) whenever a session becomes, leaves or changes while COMPLETED, so no code
 * path that completes a session can forget to.
 */
export class Migration20261204000200 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "session"."charging_session" add column "timezone" text not null default 'UTC';`,
    );
    this.addSql(
      `create index "charging_session_station_started" on "session"."charging_session" ("station_id", "started_at");`,
    );
    this.addSql(`create table "session"."session_rollup" (
      "station_id" uuid not null,
      "operator_id" uuid not null,
      "granularity" text not null,
      "label" text not null,
      "currency" text not null,
      "sessions" int not null,
      "energy_wh" bigint not null,
      "revenue_micros" bigint not null,
      primary key ("station_id", "granularity", "label", "currency"));`);
    this.addSql(
      `create index "session_rollup_operator" on "session"."session_rollup" ("operator_id", "granularity", "label");`,
    );
    this.addSql(`create table "session"."session_rollup_dirty" (
      "station_id" uuid not null,
      "hour" timestamptz not null,
      primary key ("station_id", "hour"));`);
    this.addSql(`create function "session"."mark_session_rollup"() returns trigger language plpgsql as $$
      begin
        if (tg_op = 'INSERT' and new.status = 'COMPLETED')
           or (tg_op = 'UPDATE' and (new.status = 'COMPLETED' or old.status = 'COMPLETED') and (
             old.status is distinct from new.status or old.cost_micros is distinct from new.cost_micros
             or old.energy_wh is distinct from new.energy_wh or old.started_at is distinct from new.started_at
             or old.currency is distinct from new.currency)) then
          insert into "session"."session_rollup_dirty" (station_id, hour)
          values (new.station_id, date_trunc('hour', new.started_at)) on conflict do nothing;
          if tg_op = 'UPDATE' and old.started_at is distinct from new.started_at then
            insert into "session"."session_rollup_dirty" (station_id, hour)
            values (old.station_id, date_trunc('hour', old.started_at)) on conflict do nothing;
          end if;
        end if;
        return null;
      end $$;`);
    this
      .addSql(`create trigger "charging_session_rollup" after insert or update on "session"."charging_session"
      for each row execute function "session"."mark_session_rollup"();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger "charging_session_rollup" on "session"."charging_session";`);
    this.addSql(`drop function "session"."mark_session_rollup"();`);
    this.addSql(`drop table "session"."session_rollup_dirty";`);
    this.addSql(`drop table "session"."session_rollup";`);
    this.addSql(`drop index "session"."charging_session_station_started";`);
    this.addSql(`alter table "session"."charging_session" drop column "timezone";`);
  }
}
