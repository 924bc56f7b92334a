import { pathToFileURL } from 'node:url';

/**
 * Runs a process's start function when its module is the entry point (not when it is imported, as
 * tests and benchmarks do), and closes it cleanly on SIGINT/SIGTERM.
 */
export async function runIfMain(moduleUrl: string, start: () => Promise<{ close: () => Promise<void> }>) {
  if (moduleUrl !== pathToFileURL(process.argv[1] ?? '').href) return;
  const running = await start();
  const stop = () => void running.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
