import type { EntityManager } from '@mikro-orm/postgresql';
import type { ChainReader } from '../../../lib/chain/reader.js';
import type { Orm } from '../../../lib/db.js';
import type { Logger } from '../../../lib/logger.js';
import type { SettlementService } from '../services/settlement.service.js';

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
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout;
  const loop = () => {
    if (stopped) return;
    running = deps
      .settlementsFor(deps.orm.em.fork() as EntityManager)
      .sweep(deps.chain, { recent: deps.recent ?? 200, stuckMs: deps.stuckMs ?? 15 * 60_000 })
      .catch((err: unknown) => deps.logger.warn({ err }, 'settlement sweep failed; retrying'))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, deps.everyMs);
      });
  };
  timer = setTimeout(loop, deps.everyMs);
  return {
    close: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
