import { Migration } from '@mikro-orm/migrations';

/**
 * An interval's delivery figures on its clearing row, written by the delivery check: what was
 * delivered and paid for and what the members consumed — the per-interval rollup marketReport sums.
 * Intervals checked before this migration get theirs from the trades and the meters' interval energy.
 */
export class Migration20261204000600 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "market"."clearing" add column "delivered_wh" bigint null,
      add column "traded_amount" bigint null, add column "consumed_wh" bigint null;`);
    this.addSql(`update "market"."clearing" k set
        delivered_wh = (select coalesce(sum(t.delivered_wh), 0) from "market"."trade" t
                         where t.community_id = k.community_id and t.interval_start = k.interval_start),
        traded_amount = (select coalesce(sum(t.gross_amount), 0) from "market"."trade" t
                          where t.community_id = k.community_id and t.interval_start = k.interval_start),
        consumed_wh = (select coalesce(sum(e.import_wh), 0) from "market"."interval_energy" e
                         join "market"."meter" m on m.id = e.meter_id and m.kind in ('CONSUMPTION', 'BIDIRECTIONAL')
                         join "market"."site" s on s.id = m.site_id and s.community_id = k.community_id
                        where e.interval_start = k.interval_start)
      where delivery_checked_at is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "market"."clearing" drop column "delivered_wh", drop column "traded_amount",
      drop column "consumed_wh";`);
  }
}
