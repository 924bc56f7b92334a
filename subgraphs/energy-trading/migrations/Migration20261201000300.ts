import { Migration } from '@mikro-orm/migrations';

/**
 * Members, sites, meters, readings, orders, clearings and trades of the community markets.
 *
 * Readings are a time series: `reading` holds the raw cumulative registers, partitioned by month on
 * `ts` (declarative partitioning; the subgraph creates each month's partition before it first
 * writes to it, see ReadingStore.ensurePartitions). `interval_energy` holds each meter's energy per
 * market interval: the register delta between the interval's boundaries, where the register at a
 * boundary is linearly interpolated between the readings on either side of it (exact when a reading
 * falls on the boundary) and rounded down to a whole Wh. An interval is present only when both of
 * its boundaries lie between two readings; a missing interval counts as no energy.
 */
export class Migration20261201000300 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "market"."community"
      add column "invite_code" text not null default md5(random()::text),
      add column "fee_bps" integer not null default 0 check ("fee_bps" between 0 and 2000),
      add column "delivered_through" timestamptz null,
      drop constraint "community_interval_minutes_check",
      add constraint "community_interval_minutes_check"
        check ("interval_minutes" between 1 and 60 and 60 % "interval_minutes" = 0);`);
    this.addSql(
      `create unique index "community_invite_code_unique" on "market"."community" ("invite_code");`,
    );
    this.addSql(`create table "market"."membership" (
      "community_id" uuid not null references "market"."community" ("id") on delete cascade,
      "user_id" uuid not null,
      "joined_at" timestamptz not null,
      primary key ("community_id", "user_id"));`);
    this.addSql(`create index "membership_user_id_index" on "market"."membership" ("user_id");`);
    this.addSql(`create table "market"."site" (
      "id" uuid not null primary key,
      "community_id" uuid not null references "market"."community" ("id"),
      "owner_id" uuid not null,
      "name" text not null,
      "latitude" double precision not null check ("latitude" between -90 and 90),
      "longitude" double precision not null check ("longitude" between -180 and 180),
      "pv_capacity_wp" integer not null check ("pv_capacity_wp" >= 0),
      "battery_wh" integer null check ("battery_wh" >= 0),
      "created_at" timestamptz not null);`);
    this.addSql(`create index "site_owner_id_index" on "market"."site" ("owner_id");`);
    this.addSql(`create index "site_community_id_index" on "market"."site" ("community_id");`);
    this.addSql(`create table "market"."site_share" (
      "site_id" uuid not null references "market"."site" ("id") on delete cascade,
      "user_id" uuid not null,
      "share_bps" integer not null check ("share_bps" between 1 and 10000),
      primary key ("site_id", "user_id"));`);
    this.addSql(`create index "site_share_user_id_index" on "market"."site_share" ("user_id");`);
    this.addSql(`create table "market"."meter" (
      "id" uuid not null primary key,
      "site_id" uuid not null references "market"."site" ("id"),
      "kind" text not null check ("kind" in ('PRODUCTION', 'CONSUMPTION', 'BIDIRECTIONAL')),
      "serial" text not null,
      "key_hash" text not null,
      "key_rotated_at" timestamptz not null,
      "created_at" timestamptz not null);`);
    this.addSql(`create unique index "meter_serial_unique" on "market"."meter" ("serial");`);
    this.addSql(`create unique index "meter_key_hash_unique" on "market"."meter" ("key_hash");`);
    this.addSql(`create index "meter_site_id_index" on "market"."meter" ("site_id");`);
    this.addSql(`create table "market"."reading" (
      "meter_id" uuid not null,
      "ts" timestamptz not null,
      "import_wh" bigint not null check ("import_wh" >= 0),
      "export_wh" bigint not null check ("export_wh" >= 0),
      "received_at" timestamptz not null,
      "late" boolean not null default false,
      primary key ("meter_id", "ts")) partition by range ("ts");`);
    this.addSql(`create table "market"."interval_energy" (
      "meter_id" uuid not null,
      "interval_start" timestamptz not null,
      "import_wh" bigint not null,
      "export_wh" bigint not null,
      primary key ("meter_id", "interval_start"));`);
    this.addSql(`create table "market"."order" (
      "id" uuid not null primary key,
      "community_id" uuid not null references "market"."community" ("id"),
      "interval_start" timestamptz not null,
      "user_id" uuid not null,
      "site_id" uuid null references "market"."site" ("id"),
      "side" text not null check ("side" in ('BUY', 'SELL')),
      "energy_wh" integer not null check ("energy_wh" > 0),
      "limit_price_per_kwh" integer not null check ("limit_price_per_kwh" >= 0),
      "status" text not null check ("status" in ('OPEN', 'CANCELLED')),
      "placed_at" timestamptz not null);`);
    // A clearing writes no order rows: an order's outcome (filled, partly, unmatched) is its
    // clearing's existence and the sum of its trades (OrderService.withOutcomes).
    this.addSql(`create index "order_book_index" on "market"."order" ("community_id", "interval_start");`);
    this.addSql(`create index "order_user_id_index" on "market"."order" ("user_id", "placed_at");`);
    this.addSql(`create table "market"."clearing" (
      "community_id" uuid not null references "market"."community" ("id"),
      "interval_start" timestamptz not null,
      "price_per_kwh" integer null,
      "volume_wh" bigint not null,
      "order_count" integer not null,
      "trade_count" integer not null,
      "fee_bps" integer not null,
      "cleared_at" timestamptz not null,
      "delivery_checked_at" timestamptz null,
      primary key ("community_id", "interval_start"));`);
    this.addSql(`create table "market"."trade" (
      "id" uuid not null primary key,
      "community_id" uuid not null,
      "interval_start" timestamptz not null,
      "sell_order_id" uuid not null,
      "buy_order_id" uuid not null,
      "seller_site_id" uuid not null,
      "seller_id" uuid not null,
      "buyer_id" uuid not null,
      "energy_wh" integer not null check ("energy_wh" > 0),
      "price_per_kwh" integer not null,
      "gross_amount" bigint not null,
      "fee" bigint not null,
      "seller_amount" bigint not null,
      "delivered_wh" integer null,
      "delivered_gross_amount" bigint null,
      "delivered_fee" bigint null,
      "delivered_seller_amount" bigint null,
      "status" text not null check ("status" in ('MATCHED', 'DELIVERED', 'PARTIALLY_DELIVERED', 'NOT_DELIVERED')),
      "created_at" timestamptz not null);`);
    // No foreign keys on trade: Market.clear writes the trades in the transaction that fills their
    // orders and writes their clearing, and a key check per trade would lock order rows (100,000
    // trades: seconds).
    this.addSql(
      `create index "trade_interval_index" on "market"."trade" ("community_id", "interval_start");`,
    );
    this.addSql(`create index "trade_seller_id_index" on "market"."trade" ("seller_id", "interval_start");`);
    this.addSql(`create index "trade_buyer_id_index" on "market"."trade" ("buyer_id", "interval_start");`);
  }
}
