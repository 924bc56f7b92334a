import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

/** The one password every benchmark charger uses (the bridge child accepts only `BENCH-*` identities). */
export const BENCH_PASSWORD = 'bench-password-0123456789abcdef';

/**
 * The IPC side of a server under benchmark: answers `{ type: 'stats' }` with its CPU time, RSS and
 * connection count, and records a CPU profile between `profile-start` and `profile-stop` (the
 * bench's --profile, for Chrome DevTools). Then tells the bench the port it listens on.
 */
export function serveBenchIpc(server: { port: number; connections(): number; close(): Promise<unknown> }) {
  const profiler = new Session();
  process.on('message', async (msg: { type: string; file?: string }) => {
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
        connections: server.connections(),
      });
    }
  });
  process.send!({ type: 'ready', port: server.port });
  process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
}
