/**
 * The bridge under benchmark, in its own process: the real bridge with real Redis and BullMQ, but
 * with in-memory charger credentials and id tokens (the station and user subgraphs are not what is
 * measured).
 */
import { loadBridgeConfig } from '../ocpp-bridge/config.js';
import { startOcppBridge } from '../ocpp-bridge/index.js';
import { BENCH_PASSWORD, serveBenchIpc } from './ocpp-bench-shared.js';

const bridge = await startOcppBridge(loadBridgeConfig(), {
  authenticator: {
    authenticate: async (identity, password) =>
      identity.startsWith('BENCH-') && password?.toString() === BENCH_PASSWORD
        ? { chargerId: identity }
        : null,
  },
  idTokens: { authorize: async () => ({ status: 'Accepted', userId: null }) },
});
serveBenchIpc(bridge);
