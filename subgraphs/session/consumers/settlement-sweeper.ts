import type { EntityManager } from '@mikro-orm/postgresql';
import type { ChainReader } from '../../../lib/chain/reader.js';
import type { Orm } from '../../../lib/db.js';
import type { Logger } from '../../../lib/logger.js';
import type { SettlementService } from '../services/settlement.service.js';
import { RefundService } from '../services/refunds.js';

/**
 * Every `everyMs`, SettlementService.sweep: re-checks recent CONFIRMED records against the chain,
 * re-queues SUBMITTED ones left long, and FAILED ones the payer can now pay. Every instance of the
 * subgraph runs it; the re-queues are conditional updates and the worker checks the chain before it
 * sends, so two sweeps at once change nothing twice.
 */
export function runSettlementSweeper(deps: {
  orm: Orm;
  chain: ChainReader;
  settlementsFor: (em: EntityManager) => SettlementService;
  logger: Logger;
  everyMs: number;
  /** CONFIRMED records re-checked per pass, newest first. */
  recent?: number;
  /** A SUBMITTED record untouched this long is queued again. */
  stuckMs?: number;
}) {
  return repeat(deps.everyMs, deps.logger, 'settlement sweep', () =>
    deps
      .settlementsFor(deps.orm.em.fork() as EntityManager)
      .sweep(deps.chain, { recent: deps.recent ?? 200, stuckMs: deps.stuckMs ?? 15 * 60_000 }),
  );
}

/**
 * Every `everyMs` (SETTLEMENT_POLL_MS), RefundService.confirm: refunds the operators sent are confirmed
 * from their SessionRefunded events (one query when none is pending).
 */
export function runRefundWatcher(deps: { orm: Orm; chain: ChainReader; logger: Logger; everyMs: number }) {
  return repeat(deps.everyMs, deps.logger, 'refund check', () =>
    new RefundService(deps.orm.em.fork() as EntityManager, deps.logger).confirm(deps.chain),
  );
}

/** Runs `pass` every `everyMs` after the previous one ended (a failure is logged and tried again). */
function repeat(everyMs: number, logger: Logger, what: string, pass: () => Promise<unknown>) {
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout;
  const loop = () => {
    if (stopped) return;
    running = pass()
      .catch((err: unknown) => logger.warn({ err }, `${what} failed; retrying`))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, everyMs);
      });
  };
  timer = setTimeout(loop, everyMs);
  return {
    close: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
