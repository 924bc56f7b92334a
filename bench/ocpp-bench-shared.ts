import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

/** The one password every benchmark charger uses (the bridge child accepts only `BENCH-*` identities). */
export const BENCH_PASSWORD = 'bench-password-0123456789abcdef';

/**
 * Answers a benchmark child's IPC messages: `profile-start` and `profile-stop` (with `file`) write a
 * CPU profile of the measured window for Chrome DevTools (the bench's --profile options); `stats`
 * answers with what `stats()` returns.
 */
export function answerBenchMessages(stats: () => Record<string, unknown>) {
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
      process.send!({ type: 'stats', ...stats() });
    }
  });
}
