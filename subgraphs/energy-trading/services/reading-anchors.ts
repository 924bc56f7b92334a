import type pg from 'pg';
import { unixSeconds, type ReadingLeaf } from '../../../lib/ledger.js';

export { readingsTree } from '../../../lib/ledger.js';

/**
 * A community interval's leaves (lib/ledger.ts readingsTree): every meter of the community's sites
 * with interval energy then, by meter id, read from the stored interval energy now (a changed row
 * changes the root).
 */
export async function intervalLeaves(
  pool: pg.Pool,
  communityId: string,
  intervalStart: Date,
): Promise<ReadingLeaf[]> {
  const { rows } = await pool.query<{ id: string; import_wh: string; export_wh: string }>(
    `select m.id, e.import_wh, e.export_wh
       from "market"."interval_energy" e
       join "market"."meter" m on m.id = e.meter_id
       join "market"."site" s on s.id = m.site_id
      where s.community_id = $1 and e.interval_start = $2
      order by m.id`,
    [communityId, intervalStart],
  );
  const at = String(unixSeconds(intervalStart));
  return rows.map((r) => [r.id, at, String(r.import_wh), String(r.export_wh)]);
}
