/**
 * The bridge under benchmark, in its own process: the real bridge with real Redis, but
 * with in-memory charger credentials and id tokens (the station and user subgraphs are not what is
 * measured). Answers `{ type: 'stats' }` IPC messages with its CPU time, RSS and connection count.
 */
import { loadBridgeConfig } from '../ocpp-bridge/config.js';
import { startOcppBridge } from '../ocpp-bridge/index.js';

import { answerBenchMessages, BENCH_PASSWORD } from './ocpp-bench-shared.js';

const bridge = await startOcppBridge(loadBridgeConfig(), {
  authenticator: {
    authenticate: async (identity, password) =>
      identity.startsWith('BENCH-') && password?.toString() === BENCH_PASSWORD
        ? { chargerId: identity }
        : null,
  },
  idTokens: { authorize: async () => ({ status: 'Accepted', userId: null }) },
});

answerBenchMessages(() => ({
  cpu: process.cpuUsage(),
  rss: process.memoryUsage().rss,
  connections: bridge.connections(),
}));
process.send!({ type: 'ready', port: bridge.port });
process.on('SIGTERM', () => void bridge.close().then(() => process.exit(0)));
