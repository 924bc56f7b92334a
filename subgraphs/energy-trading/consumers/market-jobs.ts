import { Queue } from 'bullmq';
import type pg from 'pg';
import type { Config } from '../../../lib/config.js';
import type { Logger } from '../../../lib/logger.js';
import type { Metrics } from '../../../lib/metrics.js';
import { JOB_RETENTION, jobId, MARKET_QUEUE, type MarketJob } from '../../../lib/queues.js';
import { createRedis } from '../../../lib/redis.js';
import { startWorker } from '../../../lib/worker.js';
import { deliveryCheckOf, gateClosureOf, nextOpenInterval, toMs } from '../services/intervals.js';
import type { Market } from '../services/market.js';
import type { TradeSettlement } from '../services/trade-settlement.js';

/** How often each instance looks for intervals to schedule. */
export const SCHEDULE_EVERY_MS = 5_000;

/**
 * The market's clock. Every SCHEDULE_EVERY_MS each instance enqueues, per community, the clearing
 * of the next interval whose gate is open (delayed until its gate closure), the clearing of any
 * interval whose gate closed with orders still open (after an outage), and the delivery check of
 * every cleared, unchecked interval (delayed until its end plus the grace period); a checked interval's
 * payable trades go to settlement at once, and each pass sweeps up any that did not (a crash between
 * the check and the queueing). Job ids are
 * (kind, community, interval): instances that schedule the same interval make one job. A worker on
 * every instance runs them.
 */
export function runMarketJobs(deps: {
  config: Config;
  pool: pg.Pool;
  market: Market;
  /** Where delivered trades go to be paid on chain (none: trades are not settled). */
  settlement?: TradeSettlement;
  logger: Logger;
  metrics: Metrics;
}) {
  const { config, pool, market, logger, settlement } = deps;
  const queue = new Queue<MarketJob>(MARKET_QUEUE, {
    connection: createRedis(config.redisUrl, logger, { purpose: 'market scheduler' }),
    prefix: `${config.redisPrefix}:bull`,
  });
  queue.on('error', () => {}); // its connection's outage log reports it
  const worker = startWorker<MarketJob>({
    queue: MARKET_QUEUE,
    redisUrl: config.redisUrl,
    redisPrefix: config.redisPrefix,
    logger,
    metrics: deps.metrics,
    concurrency: 2,
    process: async (job) => {
      const { kind, communityId, intervalStart } = job.data;
      if (kind === 'clear') return market.clear(communityId, intervalStart);
      const checked = await market.deliver(communityId, intervalStart);
      // Also when the check had been done (a retried job): the numbering is idempotent.
      await settlement?.prepareInterval(communityId, intervalStart);
      return checked;
    },
  });
  const enqueue = (job: MarketJob, at: number) =>
    queue.add(job.kind, job, {
      ...JOB_RETENTION,
      jobId: jobId(job.kind, job.communityId, job.intervalStart),
      delay: Math.max(0, at - Date.now()),
    });

  async function tick() {
    const now = Date.now();
    const { rows: communities } = await pool.query<{
      id: string;
      interval_minutes: number;
      gate_closure_minutes: number;
    }>('select id, interval_minutes, gate_closure_minutes from "market"."community"');
    for (const c of communities) {
      const rules = { intervalMinutes: c.interval_minutes, gateClosureMinutes: c.gate_closure_minutes };
      const start = nextOpenInterval(now, rules);
      await enqueue({ kind: 'clear', communityId: c.id, intervalStart: start }, gateClosureOf(start, rules));
    }
    const { rows: overdue } = await pool.query<{ community_id: string; interval_start: Date }>(
      `select distinct o.community_id, o.interval_start from "market"."order" o
         join "market"."community" c on c.id = o.community_id
        where o.status = 'OPEN' and o.interval_start - make_interval(mins => c.gate_closure_minutes) <= now()
          and not exists (select 1 from "market"."clearing" k
                           where k.community_id = o.community_id and k.interval_start = o.interval_start)
        limit 1000`,
    );
    for (const o of overdue)
      await enqueue({ kind: 'clear', communityId: o.community_id, intervalStart: toMs(o.interval_start) }, 0);
    const { rows: unchecked } = await pool.query<{
      community_id: string;
      interval_start: Date | string;
      interval_minutes: number;
      gate_closure_minutes: number;
    }>(
      `select k.community_id, k.interval_start, c.interval_minutes, c.gate_closure_minutes
         from "market"."clearing" k join "market"."community" c on c.id = k.community_id
        where k.delivery_checked_at is null limit 1000`,
    );
    for (const u of unchecked) {
      const start = toMs(u.interval_start);
      const at = deliveryCheckOf(
        start,
        { intervalMinutes: u.interval_minutes, gateClosureMinutes: u.gate_closure_minutes },
        config.market.deliveryGraceSeconds,
      );
      await enqueue({ kind: 'deliver', communityId: u.community_id, intervalStart: start }, at);
    }
    await settlement?.sweep();
  }

  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const loop = () => {
    if (stopped) return;
    running = tick()
      .catch((err: unknown) => logger.warn({ err }, 'market scheduling failed; retrying'))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, SCHEDULE_EVERY_MS);
      });
  };
  let timer: NodeJS.Timeout = setTimeout(loop, 0);
  return {
    /** Runs one scheduling pass now (tests, the demo seed). */
    tick,
    close: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
      await worker.close();
      await queue.close();
    },
  };
}
