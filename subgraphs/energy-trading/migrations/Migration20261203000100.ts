import { Migration } from '@mikro-orm/migrations';

/**
 * On-chain settlement of delivered trades: each payable trade gets a record number from its own
 * sequence (trades are numbered apart from charging sessions, as the contract keeps them), the parties'
 * wallets and shares it was settled with, the record hash, and the outcome. A community's fee is at most
 * the contract's MAX_FEE_BPS (10 %).
 */
export class Migration20261203000100 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create sequence "market"."trade_record_seq" start 1;`);
    this.addSql(`alter table "market"."trade"
      add column "settlement_record_id" bigint null unique,
      add column "settlement_status" text null
        check ("settlement_status" in ('PENDING', 'SUBMITTED', 'CONFIRMED', 'FAILED')),
      add column "settlement_buyer" text null,
      add column "settlement_seller" text null,
      add column "settlement_shares" jsonb null,
      add column "settlement_fee_bps" integer null,
      add column "settlement_record_hash" text null,
      add column "settlement_tx_hash" text null,
      add column "settlement_block" integer null,
      add column "settlement_fee" bigint null,
      add column "settlement_failure_reason" text null;`);
    this.addSql(
      `create index "trade_settlement_pending_index" on "market"."trade" ("settlement_status") where "settlement_status" <> 'CONFIRMED';`,
    );
    this.addSql(`alter table "market"."community"
      drop constraint "community_fee_bps_check",
      add constraint "community_fee_bps_check" check ("fee_bps" between 0 and 1000);`);
  }
}
