import { Migration } from '@mikro-orm/migrations';

/**
 * Meter readings anchored on chain: per checked community interval, the root of the standard Merkle
 * tree of its meters' interval energy (docs/ledger-format.md), and the anchor's outcome on chain.
 */
export class Migration20261203000400 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "market"."reading_anchor" (
      "community_id" uuid not null references "market"."community" ("id"),
      "interval_start" timestamptz not null,
      "root" text not null,
      "leaf_count" int not null,
      "status" text not null default 'PENDING' check ("status" in ('PENDING', 'SUBMITTED', 'CONFIRMED', 'FAILED')),
      "tx_hash" text null,
      "block" bigint null,
      "failure_reason" text null,
      "created_at" timestamptz not null default now(),
      primary key ("community_id", "interval_start"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "market"."reading_anchor";`);
  }
}
