import { Queue } from 'bullmq';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { SETTLEMENT_QUEUE } from './queues.js';
import { createRedis } from './redis.js';

// The queue contracts live in lib/queues.ts; re-exported for the code that numbers records (their
// hashes: lib/ledger.ts).
export {
  SETTLEMENT_QUEUE,
  type SettlePlanFeeJob,
  type SettleSessionJob,
  type SettleTradeJob,
} from './queues.js';

/**
 * The producer side of SETTLEMENT_QUEUE for the subgraphs that own records (session, energy-trading),
 * watched by their metrics; its connection's outage log reports Redis errors.
 */
export function settlementProducer(config: Config, logger: Logger, metrics: Metrics): Queue {
  const queue = new Queue(SETTLEMENT_QUEUE, {
    connection: createRedis(config.redisUrl, logger, { purpose: 'settlement producer' }),
    prefix: `${config.redisPrefix}:bull`,
  });
  queue.on('error', () => {});
  metrics.watchQueue(queue);
  return queue;
}
