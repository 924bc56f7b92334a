import type { Queue } from 'bullmq';
import type pg from 'pg';
import { CLEARABLE_FAILURES } from '../../../lib/chain/contracts.js';
import type { ChainReader } from '../../../lib/chain/reader.js';
import type { Logger } from '../../../lib/logger.js';
import {
  ANCHOR_READINGS,
  jobId,
  OUTCOME_REPLACES,
  SETTLE_JOB_OPTIONS,
  SETTLE_TRADE,
  traced,
  type AnchorOutcomeJob,
  type AnchorReadingsJob,
  type SettleTradeJob,
  type TradeOutcomeJob,
} from '../../../lib/queues.js';
import { intervalLeaves, readingsTree } from './reading-anchors.js';
import type { UserServiceClient } from '../../../lib/service-clients/user.js';
import { ledgerHash, unixSeconds, type LedgerDomain, type LedgerMessage } from '../../../lib/ledger.js';

interface PayableTrade {
  id: string;
  community_id: string;
  interval_start: Date | string;
  buyer_id: string;
  seller_id: string;
  seller_site_id: string;
  energy_wh: number;
  delivered_wh: number;
  price_per_kwh: number;
  fee_bps: number;
  shares: { userId: string; bps: number }[] | null;
}

/**
 * A numbered trade as the ledger's EnergyTrade record (lib/ledger.ts, docs/ledger-format.md), from
 * its stored row: the traded and the delivered (paid) energy, the clearing price, the community's
 * fee, and a co-owned site's owners in the order the contract credits them.
 */
export function tradeLedgerMessage(t: {
  id: string;
  record_id: string;
  community_id: string;
  interval_start: Date | string;
  seller_site_id: string;
  buyer: string;
  seller: string;
  energy_wh: number | string;
  delivered_wh: number | string;
  price_per_kwh: number | string;
  fee_bps: number;
  shares: { owner: string; bps: number }[];
}): LedgerMessage {
  return {
    recordId: BigInt(t.record_id),
    tradeId: t.id,
    communityId: t.community_id,
    intervalStart: unixSeconds(t.interval_start),
    sellerSiteId: t.seller_site_id,
    buyer: t.buyer,
    seller: t.seller,
    tradedWh: BigInt(t.energy_wh),
    energyWh: BigInt(t.delivered_wh),
    pricePerKwh: BigInt(t.price_per_kwh),
    feeBps: t.fee_bps,
    shares: t.shares.map((x) => ({ owner: x.owner, bps: x.bps })),
  };
}

/**
 * Turns delivered trades into `settle-trade` jobs and stores what the settlement worker reports.
 *
 * A trade is payable when its delivery check found energy (deliveredWh > 0): the buyer pays the
 * delivered energy at the clearing price from the same escrow as charging, the fee goes to the
 * platform, and the rest to the seller or, for a co-owned site, to its owners by share (their wallets,
 * in the order the contract credits them: the first share takes the rounding remainder). The record
 * number comes from the `market.trade_record_seq` sequence and is written with a conditional UPDATE, so
 * a trade is numbered once however often it is prepared; the job id is the trade id.
 */
export class TradeSettlement {
  constructor(
    private readonly pool: pg.Pool,
    private readonly opts: {
      users: UserServiceClient;
      queue: Queue;
      logger: Logger;
      /** Tells the trades' parties that their settlement changed. */
      publish: (tradeIds: string[]) => Promise<void>;
      /** To see whether a FAILED trade's buyer can pay now (sweep). */
      chain?: ChainReader;
      /** The deployment's ledger domain (lib/ledger.ts), which every record hash is bound to. */
      domain: () => Promise<LedgerDomain>;
    },
  ) {}

  /**
   * Numbers and queues the payable trades among `tradeIds` that are not numbered yet, and queues again
   * those numbered but still PENDING (their job may not have reached Redis). Returns how many it queued.
   */
  async prepare(tradeIds: string[]): Promise<number> {
    if (tradeIds.length === 0) return 0;
    const { rows } = await this.pool.query<PayableTrade & { settlement_record_id: string | null }>(
      `select t.id, t.community_id, t.interval_start, t.buyer_id, t.seller_id, t.seller_site_id,
              t.energy_wh, t.delivered_wh, t.price_per_kwh, k.fee_bps, t.settlement_record_id,
              (select json_agg(json_build_object('userId', s.user_id, 'bps', s.share_bps) order by s.share_bps desc, s.user_id)
                 from "market"."site_share" s where s.site_id = t.seller_site_id) as shares
         from "market"."trade" t
         join "market"."clearing" k on k.community_id = t.community_id and k.interval_start = t.interval_start
        where t.id = any($1::uuid[]) and t.delivered_wh > 0
          and (t.settlement_record_id is null or t.settlement_status = 'PENDING')`,
      [tradeIds],
    );
    let queued = 0;
    for (const t of rows) {
      const job = t.settlement_record_id ? await this.storedJob(t.id) : await this.number(t);
      if (!job) continue;
      await this.opts.queue.add(SETTLE_TRADE, traced(job), { ...SETTLE_JOB_OPTIONS, jobId: t.id });
      queued++;
    }
    return queued;
  }

  /** Gives the trade its record number and terms; null when a party has no wallet or it was numbered meanwhile. */
  private async number(t: PayableTrade): Promise<SettleTradeJob | null> {
    const shares = t.shares ?? [];
    const people = [t.buyer_id, t.seller_id, ...shares.map((s) => s.userId)];
    const wallets = new Map(
      (await this.opts.users.primaryWallets([...new Set(people)])).map((w) => [w.userId, w.address]),
    );
    const missing = people.filter((p) => !wallets.has(p));
    if (missing.length) {
      await this.pool.query(
        `update "market"."trade" set settlement_status = 'FAILED', settlement_failure_reason = $2
          where id = $1 and settlement_record_id is null`,
        [
          t.id,
          `Not settled: ${missing.includes(t.buyer_id) ? 'the buyer' : 'a seller'} has no linked wallet`,
        ],
      );
      this.opts.logger.info(
        { tradeId: t.id, missing: missing.length },
        'trade not settled: a party has no wallet',
      );
      await this.opts.publish([t.id]);
      return null;
    }
    // The record's hash binds it to the deployment (lib/ledger.ts): without one, nothing is numbered.
    const domain = await this.opts.domain();
    const { rows } = await this.pool.query<{ id: string }>(
      `select nextval('"market"."trade_record_seq"')::text as id`,
    );
    const recordId = rows[0]!.id;
    const onChainShares = shares.map((s) => ({ owner: wallets.get(s.userId)!, bps: s.bps }));
    const job: SettleTradeJob = {
      kind: 'trade',
      tradeId: t.id,
      recordId,
      buyer: wallets.get(t.buyer_id)!,
      seller: wallets.get(t.seller_id)!,
      energyWh: t.delivered_wh,
      pricePerKwh: t.price_per_kwh,
      feeBps: t.fee_bps,
      shares: onChainShares,
      recordHash: '',
      stoppedAt: new Date().toISOString(),
    };
    job.recordHash = ledgerHash(
      'EnergyTrade',
      domain,
      tradeLedgerMessage({
        ...t,
        record_id: recordId,
        buyer: job.buyer,
        seller: job.seller,
        shares: onChainShares,
      }),
    );
    const { rowCount } = await this.pool.query(
      `update "market"."trade" set settlement_record_id = $2, settlement_status = 'PENDING',
              settlement_buyer = $3, settlement_seller = $4, settlement_shares = $5::jsonb,
              settlement_fee_bps = $6, settlement_record_hash = $7, settlement_failure_reason = null
        where id = $1 and settlement_record_id is null`,
      [t.id, recordId, job.buyer, job.seller, JSON.stringify(onChainShares), job.feeBps, job.recordHash],
    );
    if (!rowCount) return null; // numbered by a concurrent preparation, which queues it
    await this.opts.publish([t.id]);
    return job;
  }

  /** The job of a trade numbered before, from what was stored with its number. */
  private async storedJob(tradeId: string): Promise<SettleTradeJob | null> {
    const { rows } = await this.pool.query<{
      settlement_record_id: string;
      settlement_buyer: string;
      settlement_seller: string;
      settlement_shares: { owner: string; bps: number }[];
      settlement_fee_bps: number;
      settlement_record_hash: string;
      delivered_wh: number;
      price_per_kwh: number;
    }>(
      `select settlement_record_id, settlement_buyer, settlement_seller, settlement_shares, settlement_fee_bps,
              settlement_record_hash, delivered_wh, price_per_kwh
         from "market"."trade" where id = $1 and settlement_record_id is not null`,
      [tradeId],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      kind: 'trade',
      tradeId,
      recordId: r.settlement_record_id,
      buyer: r.settlement_buyer,
      seller: r.settlement_seller,
      energyWh: r.delivered_wh,
      pricePerKwh: r.price_per_kwh,
      feeBps: r.settlement_fee_bps,
      shares: r.settlement_shares,
      recordHash: r.settlement_record_hash,
    };
  }

  /**
   * Anchors one checked interval's meter readings (once): the root of their tree (reading-anchors.ts)
   * is stored and queued for the chain, ahead of the interval's trades (the worker sends anchors of a
   * batch first). An interval without readings anchors nothing. A stored anchor still PENDING is
   * queued again (its job id makes that a no-op when the job is there).
   */
  async anchorInterval(communityId: string, intervalStart: number): Promise<boolean> {
    const at = new Date(intervalStart);
    const leaves = await intervalLeaves(this.pool, communityId, at);
    if (leaves.length) {
      await this.pool.query(
        `insert into "market"."reading_anchor" (community_id, interval_start, root, leaf_count)
         values ($1, $2, $3, $4) on conflict do nothing`,
        [communityId, at, readingsTree(leaves).root, leaves.length],
      );
    }
    return this.queueAnchor(communityId, at);
  }

  private async queueAnchor(communityId: string, at: Date): Promise<boolean> {
    const { rows } = await this.pool.query<{ root: string; leaf_count: number; status: string }>(
      `select root, leaf_count, status from "market"."reading_anchor" where community_id = $1 and interval_start = $2`,
      [communityId, at],
    );
    const a = rows[0];
    if (!a || a.status !== 'PENDING') return false;
    const job: AnchorReadingsJob = {
      kind: 'anchor',
      communityId,
      intervalStart: at.toISOString(),
      root: a.root,
      leafCount: a.leaf_count,
    };
    await this.opts.queue.add(ANCHOR_READINGS, traced(job), {
      ...SETTLE_JOB_OPTIONS,
      jobId: jobId('anchor', communityId, at.getTime()),
    });
    return true;
  }

  /** Stores what the settlement worker reported of an anchor (one conditional UPDATE, as for trades). */
  async recordAnchor(outcome: AnchorOutcomeJob): Promise<boolean> {
    const confirmed = outcome.status === 'CONFIRMED';
    const { rowCount } = await this.pool.query(
      `update "market"."reading_anchor" set status = $3, tx_hash = $4, block = $5, failure_reason = $6
        where community_id = $1 and interval_start = $2 and status = any($7::text[])`,
      [
        outcome.anchor.communityId,
        outcome.anchor.intervalStart,
        outcome.status,
        confirmed ? outcome.txHash : null,
        confirmed ? outcome.blockNumber : null,
        outcome.status === 'FAILED' ? outcome.failureReason : null,
        OUTCOME_REPLACES[outcome.status],
      ],
    );
    if (outcome.status === 'FAILED')
      this.opts.logger.error({ ...outcome.anchor, reason: outcome.failureReason }, 'readings anchor failed');
    return !!rowCount;
  }

  /** Prepares the payable trades of one interval whose delivery was just checked, after its anchor. */
  async prepareInterval(communityId: string, intervalStart: number): Promise<number> {
    await this.anchorInterval(communityId, intervalStart);
    const { rows } = await this.pool.query<{ id: string }>(
      'select id from "market"."trade" where community_id = $1 and interval_start = $2 and delivered_wh > 0',
      [communityId, new Date(intervalStart).toISOString()],
    );
    return this.prepare(rows.map((r) => r.id));
  }

  /**
   * Delivered trades that should be on their way to the chain but are not: unnumbered ones (a crash
   * between the delivery check and the numbering) and PENDING ones (a job that never reached Redis).
   * The market's scheduler calls this every few seconds.
   */
  async sweep(limit = 500): Promise<number> {
    const { rows } = await this.pool.query<{ id: string }>(
      `select id from "market"."trade"
        where delivered_wh > 0 and (settlement_status is null or settlement_status = 'PENDING')
        order by created_at limit $1`,
      [limit],
    );
    // Anchors left PENDING a minute (their job never reached Redis): queued again.
    const { rows: anchors } = await this.pool.query<{ community_id: string; interval_start: Date | string }>(
      `select community_id, interval_start from "market"."reading_anchor"
        where status = 'PENDING' and created_at < now() - interval '1 minute' limit $1`,
      [limit],
    );
    for (const a of anchors) await this.queueAnchor(a.community_id, new Date(a.interval_start));
    return (
      (await this.prepare(rows.map((r) => r.id))) + (await this.reconcile()) + (await this.retryClearable())
    );
  }

  /**
   * CONFIRMED trades of the newest `recent` (by block) that the chain no longer has — a reorganisation
   * took their transaction out — go back to PENDING and are queued again, with an alert.
   */
  private async reconcile(recent = 200): Promise<number> {
    const chain = this.opts.chain;
    if (!chain) return 0;
    const { rows } = await this.pool.query<{ id: string; record_id: string; tx: string }>(
      `select id, settlement_record_id::text as record_id, settlement_tx_hash as tx from "market"."trade"
        where settlement_status = 'CONFIRMED' order by settlement_block desc limit $1`,
      [recent],
    );
    let queued = 0;
    for (const r of rows) {
      if (await chain.isSettled('trade', r.record_id)) continue;
      this.opts.logger.error(
        { tradeId: r.id, recordId: r.record_id, txHash: r.tx },
        'ALERT: a CONFIRMED trade settlement is no longer on chain (reorganised out); settling it again',
      );
      if (await this.requeue(r.id, 'CONFIRMED')) queued++;
    }
    return queued;
  }

  /** Back to PENDING from `from` (one conditional UPDATE) and queued under a job id of its own. */
  private async requeue(tradeId: string, from: 'CONFIRMED' | 'FAILED'): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `update "market"."trade" set settlement_status = 'PENDING', settlement_failure_reason = null,
              settlement_tx_hash = null, settlement_block = null
        where id = $1 and settlement_status = $2`,
      [tradeId, from],
    );
    if (!rowCount) return false;
    const job = await this.storedJob(tradeId);
    if (!job) return false;
    await this.opts.queue.add(SETTLE_TRADE, traced(job), {
      ...SETTLE_JOB_OPTIONS,
      jobId: jobId(tradeId, 'retry', Date.now()),
    });
    await this.opts.publish([tradeId]);
    return true;
  }

  /**
   * FAILED trades whose cause the buyer can clear (limits, escrow): queued again once the chain shows
   * the buyer can pay them. The record keeps its number and terms; the worker asks the chain first.
   */
  private async retryClearable(limit = 100): Promise<number> {
    const chain = this.opts.chain;
    if (!chain) return 0;
    const { rows } = await this.pool.query<{ id: string; buyer: string; gross: string }>(
      `select id, settlement_buyer as buyer, delivered_gross_amount::text as gross from "market"."trade"
        where settlement_status = 'FAILED' and settlement_record_id is not null
          and settlement_failure_reason = any($1::text[])
        order by created_at limit $2`,
      [CLEARABLE_FAILURES, limit],
    );
    let queued = 0;
    for (const r of rows) {
      const e = await chain.limitsOf(r.buyer);
      const gross = BigInt(r.gross);
      if (e.recordLimit < gross || e.spendableToday < gross) continue;
      if (await this.requeue(r.id, 'FAILED')) queued++;
    }
    return queued;
  }

  /**
   * Stores what the settlement worker reported (TRADE_OUTCOMES_QUEUE) with one conditional UPDATE
   * (an outcome older than the stored status changes nothing), and tells the trade's parties.
   */
  async record(outcome: TradeOutcomeJob): Promise<boolean> {
    const confirmed = outcome.status === 'CONFIRMED';
    const { rowCount } = await this.pool.query(
      `update "market"."trade" set settlement_status = $2, settlement_tx_hash = $3, settlement_block = $4,
              settlement_fee = $5, settlement_failure_reason = $6
        where id = $1 and settlement_record_id is not null and settlement_status = any($7::text[])`,
      [
        outcome.tradeId,
        outcome.status,
        confirmed ? outcome.txHash : null,
        confirmed ? outcome.blockNumber : null,
        confirmed ? outcome.fee : null,
        outcome.status === 'FAILED' ? outcome.failureReason : null,
        OUTCOME_REPLACES[outcome.status],
      ],
    );
    if (rowCount) await this.opts.publish([outcome.tradeId]);
    return !!rowCount;
  }
}
