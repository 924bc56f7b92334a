import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import {
  checkRecordNumber,
  checkRecordPage,
  RecordPageArgs,
  periodOf,
  recordPage,
} from '../../../lib/ledger-graphql.js';
import { hasRole, Role } from '../../../lib/auth.js';
import { badInput, forbidden, notFound } from '../../../lib/errors.js';
import { ledgerDomain, ledgerTypedData, type LedgerDomain } from '../../../lib/ledger.js';
import type { EnergyContext } from '../context.js';
import { tradeLedgerMessage } from '../services/trade-settlement.js';
import { intervalLeaves, readingsTree } from '../services/reading-anchors.js';
import {
  LedgerSummary,
  ReadingAnchor,
  ReadingAnchorPage,
  ReadingProof,
  TradeLedgerPage,
  TradeLedgerRecord,
  TradeLedgerTotals,
} from './types/ledger.types.js';
import { ARG } from '../../../lib/arg-descriptions.js';

interface Row {
  id: string;
  record_id: string;
  community_id: string;
  interval_start: Date;
  seller_site_id: string;
  buyer_id: string;
  seller_id: string;
  energy_wh: number;
  delivered_wh: number;
  price_per_kwh: number;
  settlement_status: string;
  settlement_buyer: string;
  settlement_seller: string;
  settlement_shares: { owner: string; bps: number }[] | null;
  settlement_fee_bps: number;
  settlement_record_hash: string;
  settlement_tx_hash: string | null;
  settlement_block: string | null;
  delivered_gross_amount: string | null;
  owners: string[];
}

const SELECT = `select t.id, t.settlement_record_id::text as record_id, t.community_id, t.interval_start,
       t.seller_site_id, t.buyer_id, t.seller_id, t.energy_wh, t.delivered_wh, t.price_per_kwh,
       t.settlement_status, t.settlement_buyer, t.settlement_seller, t.settlement_shares,
       t.settlement_fee_bps, t.settlement_record_hash, t.settlement_tx_hash, t.settlement_block,
       t.delivered_gross_amount::text as delivered_gross_amount,
       coalesce((select array_agg(s.user_id::text) from "market"."site_share" s where s.site_id = t.seller_site_id),
                '{}') as owners
  from "market"."trade" t`;

function ledgerRecordOf(domain: LedgerDomain, t: Row): TradeLedgerRecord {
  const message = tradeLedgerMessage({
    ...t,
    buyer: t.settlement_buyer,
    seller: t.settlement_seller,
    fee_bps: t.settlement_fee_bps,
    shares: t.settlement_shares ?? [],
  });
  return {
    recordId: t.record_id,
    tradeId: t.id,
    amount: t.delivered_gross_amount ?? '0',
    status: t.settlement_status,
    typedData: JSON.stringify(ledgerTypedData('EnergyTrade', domain, message)),
    recordHash: t.settlement_record_hash,
    txHash: t.settlement_tx_hash,
    blockNumber: t.settlement_block == null ? null : Number(t.settlement_block),
    logIndex: null,
    confirmations: null,
  };
}

/** The trade side of the ledger as auditors read it: every numbered trade as a record of docs/ledger-format.md. */
@Resolver()
export class TradeLedgerResolver {
  @Authorized(Role.AUDITOR, Role.ADMIN)
  @Query(() => TradeLedgerPage, {
    description:
      'Every numbered energy trade as a ledger record, in record-number order (auditors and admins). Page ' +
      'with `after` = the previous page’s nextCursor; `first` 1–1,000.',
  })
  async tradeLedger(
    @Ctx() ctx: EnergyContext,
    @Args(() => RecordPageArgs) { first, after }: RecordPageArgs,
  ): Promise<TradeLedgerPage> {
    checkRecordPage(first, after);
    const domain = ledgerDomain((await ctx.chain.load()).deployment);
    const { rows } = await ctx.pool.query<Row>(
      `${SELECT} where t.settlement_record_id > $1 order by t.settlement_record_id limit $2`,
      [after ?? '0', first + 1],
    );
    const { page, nextCursor } = recordPage(rows, first, (r) => r.record_id);
    return { records: page.map((t) => ledgerRecordOf(domain, t)), nextCursor };
  }

  @Authorized()
  @Query(() => TradeLedgerRecord, {
    description:
      'One settled trade’s record (docs/ledger-format.md), its hash, and the transaction, block, log index and ' +
      'confirmations of its TradeSettled event: auditors, admins, the buyer, and the selling site’s owners. ' +
      'NOT_FOUND for an unknown record number.',
  })
  async tradeSettlementProof(
    @Ctx() ctx: EnergyContext,
    @Arg('recordId', () => ID, { description: ARG.recordId })
    recordId: string,
  ): Promise<TradeLedgerRecord> {
    checkRecordNumber(recordId);
    const { rows } = await ctx.pool.query<Row>(`${SELECT} where t.settlement_record_id = $1`, [recordId]);
    const t = rows[0];
    if (!t) throw notFound('Trade settlement record', recordId);
    const me = ctx.viewer.userId;
    const party = me != null && (t.buyer_id === me || t.seller_id === me || t.owners.includes(me));
    if (!party && !hasRole(ctx.viewer, Role.AUDITOR) && !hasRole(ctx.viewer, Role.ADMIN))
      throw forbidden('Only auditors, admins, the buyer and the selling site’s owners may read its proof');
    const record = ledgerRecordOf(ledgerDomain((await ctx.chain.load()).deployment), t);
    if (!t.settlement_tx_hash) return record;
    const log = await ctx.chain.settlementLog('trade', recordId, t.settlement_tx_hash);
    return { ...record, logIndex: log?.logIndex ?? null, confirmations: log?.confirmations ?? 0 };
  }
}

/** The trades' part of the session subgraph's ledgerSummary. */
@Resolver(() => LedgerSummary)
export class LedgerSummaryTradesResolver {
  @Authorized(Role.AUDITOR, Role.ADMIN)
  @FieldResolver(() => TradeLedgerTotals, {
    description: 'The period’s energy trades (auditors and admins).',
  })
  async trades(@Root() summary: LedgerSummary, @Ctx() ctx: EnergyContext): Promise<TradeLedgerTotals> {
    const { from, to } = periodOf(new Date(summary.from), new Date(summary.to));
    const { rows } = await ctx.pool.query<{
      records: string;
      confirmed: string;
      amount: string;
      fees: string;
    }>(
      `select count(*) as records,
              count(*) filter (where settlement_status = 'CONFIRMED') as confirmed,
              coalesce(sum(floor(delivered_wh::numeric * price_per_kwh / 1000))
                         filter (where settlement_status = 'CONFIRMED'), 0)::text as amount,
              coalesce(sum(settlement_fee) filter (where settlement_status = 'CONFIRMED'), 0)::text as fees
         from "market"."trade"
        where settlement_record_id is not null and interval_start >= $1 and interval_start < $2`,
      [from, to],
    );
    const r = rows[0]!;
    return { records: Number(r.records), confirmed: Number(r.confirmed), amount: r.amount, fees: r.fees };
  }
}

interface AnchorRow {
  community_id: string;
  interval_start: Date | string;
  root: string;
  leaf_count: number;
  status: string;
  tx_hash: string | null;
  block: string | null;
}

async function anchorOf(ctx: EnergyContext, a: AnchorRow): Promise<ReadingAnchor> {
  // This pool may give timestamps as text.
  const intervalStart = new Date(a.interval_start);
  return {
    communityId: a.community_id,
    intervalStart,
    root: a.root,
    leafCount: a.leaf_count,
    status: a.status,
    txHash: a.tx_hash,
    blockNumber: a.block == null ? null : Number(a.block),
    leaves: JSON.stringify(await intervalLeaves(ctx.pool, a.community_id, intervalStart)),
  };
}

/** Meter readings anchored on chain: the anchors for auditors, and one reading's proof. */
@Resolver()
export class ReadingAnchorResolver {
  @Authorized(Role.AUDITOR, Role.ADMIN)
  @Query(() => ReadingAnchorPage, {
    description:
      'Every community interval whose meter readings were anchored, oldest first, with its leaves as stored ' +
      'now (auditors and admins). `first` 1–500.',
  })
  async readingAnchors(
    @Ctx() ctx: EnergyContext,
    @Arg('first', () => Int, {
      defaultValue: 100,
      description: ARG.first,
    })
    first: number,
    @Arg('after', () => String, {
      nullable: true,
      description: ARG.after,
    })
    after: string | null,
  ): Promise<ReadingAnchorPage> {
    if (!Number.isInteger(first) || first < 1 || first > 500)
      throw badInput('first must be 1 to 500', 'first');
    if (after != null && !/^\d{1,9}$/.test(after)) throw badInput('after must be a nextCursor', 'after');
    const offset = Number(after ?? 0);
    const { rows } = await ctx.pool.query<AnchorRow>(
      `select community_id, interval_start, root, leaf_count, status, tx_hash, block
         from "market"."reading_anchor" order by interval_start, community_id offset $1 limit $2`,
      [offset, first + 1],
    );
    const page = rows.slice(0, first);
    return {
      anchors: await Promise.all(page.map((a) => anchorOf(ctx, a))),
      nextCursor: rows.length > first ? String(offset + first) : null,
    };
  }

  @Authorized()
  @Query(() => ReadingProof, {
    description:
      'One meter’s reading of an interval as a leaf of the interval’s tree, with its proof and the anchor: the ' +
      'meter’s site owner and co-owners, auditors and admins. NOT_FOUND when the meter has no energy then.',
  })
  async readingProof(
    @Ctx() ctx: EnergyContext,
    @Arg('meterId', () => ID, { description: ARG.meterId }) meterId: string,
    @Arg('intervalStart', { description: ARG.intervalStart }) intervalStart: Date,
  ): Promise<ReadingProof> {
    const { rows: meters } = await ctx.pool.query<{ community_id: string; owners: string[] }>(
      `select s.community_id, array_append(coalesce(array_agg(sh.user_id::text) filter (where sh.user_id is not null), '{}'), s.owner_id::text) as owners
         from "market"."meter" m join "market"."site" s on s.id = m.site_id
         left join "market"."site_share" sh on sh.site_id = s.id
        where m.id::text = $1 group by s.community_id, s.owner_id`,
      [meterId],
    );
    const meter = meters[0];
    if (!meter) throw notFound('Meter', meterId);
    const me = ctx.viewer.userId;
    if (
      !(me && meter.owners.includes(me)) &&
      !hasRole(ctx.viewer, Role.AUDITOR) &&
      !hasRole(ctx.viewer, Role.ADMIN)
    )
      throw forbidden('Only the meter’s site owners, auditors and admins may read its proofs');
    const leaves = await intervalLeaves(ctx.pool, meter.community_id, intervalStart);
    const index = leaves.findIndex((l) => l[0] === meterId);
    if (index < 0) throw notFound('Interval energy of meter', `${meterId}@${intervalStart.toISOString()}`);
    const tree = readingsTree(leaves);
    const { rows: anchors } = await ctx.pool.query<AnchorRow>(
      `select community_id, interval_start, root, leaf_count, status, tx_hash, block
         from "market"."reading_anchor" where community_id = $1 and interval_start = $2`,
      [meter.community_id, intervalStart],
    );
    return {
      leaf: leaves[index]!,
      proof: tree.getProof(index),
      root: tree.root,
      anchor: anchors[0] ? await anchorOf(ctx, anchors[0]) : null,
    };
  }
}
