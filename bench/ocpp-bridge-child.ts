/**
 * The bridge under benchmark, in its own process: the real bridge with real Redis and BullMQ, but
 * with in-memory charger credentials and id tokens (the station and user subgraphs are not what is
 * measured). Answers `{ type: 'stats' }` IPC messages with its CPU time, RSS and connection count.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { loadBridgeConfig } from '../ocpp-bridge/config.js';
import { startOcppBridge } from '../ocpp-bridge/index.js';

import { BENCH_PASSWORD } from './ocpp-bench-shared.js';

const bridge = await startOcppBridge(loadBridgeConfig(), {
  authenticator: {
    authenticate: async (identity, password) =>
      identity.startsWith('BENCH-') && password?.toString() === BENCH_PASSWORD
        ? { chargerId: identity }
        : null,
  },
  idTokens: { authorize: async () => ({ status: 'Accepted', userId: null }) },
});

const profiler = new Session();
process.on('message', async (msg: { type: string; file?: string }) => {
  // CPU profile of the measured window only (the bench's --profile), for Chrome DevTools.
  if (msg.type === 'profile-start') {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  } else if (msg.type === 'profile-stop') {
    const { profile } = await profiler.post('Profiler.stop');
    await writeFile(msg.file!, JSON.stringify(profile));
    process.send!({ type: 'profiled' });
  } else if (msg.type === 'stats') {
    process.send!({
      type: 'stats',
      cpu: process.cpuUsage(),
      rss: process.memoryUsage().rss,
      connections: bridge.connections(),
    });
  }
});
process.send!({ type: 'ready', port: bridge.port });
process.on('SIGTERM', () => void bridge.close().then(() => process.exit(0)));
