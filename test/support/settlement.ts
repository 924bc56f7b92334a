import { keccak256, toUtf8Bytes } from 'ethers';
import { pino } from 'pino';
import { loadConfig } from '../../lib/config.js';
import type { SettleSessionJob } from '../../lib/queues.js';
import type { SettlerLease } from '../../lib/chain/settler-lease.js';
import { SettlementBatcher } from '../../workers/settlement/batcher.js';
import type { Chain } from './chain.js';

/**
 * A settlement batcher on a test chain (settler: development account 1, batches sent at once),
 * whose log lines are kept in `logs`; `env` adds or overrides configuration.
 */
export function aBatcher(
  chain: Chain,
  network: string,
  env: Record<string, string> = {},
  leaseFor?: (settler: string) => SettlerLease,
) {
  const config = loadConfig({
    NODE_ENV: 'test',
    CHAIN_RPC_URL: chain.url,
    SETTLEMENT_NETWORK: network,
    SETTLEMENT_BATCH_WINDOW_MS: '0',
    ...env,
  });
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  return { batcher: new SettlementBatcher(config, logger, undefined, leaseFor), logs, logger };
}

let nextRecord = Math.floor(Math.random() * 1e6) * 1000;

/** A session to pay: development account 2 pays account 3 one test USD, under a fresh record id. */
export function aJob(chain: Chain, overrides: Partial<SettleSessionJob> = {}): SettleSessionJob {
  const recordId = String(nextRecord++);
  return {
    sessionId: `session-${recordId}`,
    recordId,
    payer: chain.wallet(2).address,
    payee: chain.wallet(3).address,
    amount: '1000000',
    recordHash: keccak256(toUtf8Bytes(`record ${recordId}`)),
    ...overrides,
  };
}
