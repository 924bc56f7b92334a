/** The settlement worker's metrics. */
import { Metrics } from '../../lib/metrics.js';

/** Settlement lag in seconds: from the session's stop to its confirmation on chain. */
export const LAG_BUCKETS = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600];

/** The settlement worker's metrics (besides the process defaults and its queue's job counts). */
export function settlementMetrics(
  metrics: Metrics,
  /** Where the settler's gas balance is read (the batcher, once it exists). */
  batcher: () => { settlerBalance(): Promise<bigint | null> },
) {
  metrics.gauge({
    name: 'settler_balance_wei',
    help: "The settler account's native balance (it pays the gas), in wei",
    async collect() {
      let timer: NodeJS.Timeout | undefined;
      const balance = await Promise.race([
        batcher().settlerBalance(),
        new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), 1000))),
      ]).catch(() => null);
      clearTimeout(timer);
      if (balance !== null) this.set(Number(balance));
    },
  });
  return {
    records: metrics.counter({
      name: 'settlement_records_total',
      help: 'Settlement records finished, by outcome (CONFIRMED or FAILED)',
      labelNames: ['outcome'],
    }),
    batches: metrics.counter({ name: 'settlement_batches_total', help: 'settleBatch transactions mined' }),
    gas: metrics.counter({ name: 'settlement_gas_used_total', help: 'Gas used by settleBatch transactions' }),
    lag: metrics.histogram({
      name: 'settlement_lag_seconds',
      help: "From a session's stop to its settlement's confirmation on chain",
      buckets: LAG_BUCKETS,
    }),
    replaced: metrics.counter({
      name: 'settlement_transactions_replaced_total',
      help: 'Settlement transactions sent again at their nonce with higher fees (stuck or not mined in time)',
    }),
  };
}

export type SettlementMetrics = ReturnType<typeof settlementMetrics>;
