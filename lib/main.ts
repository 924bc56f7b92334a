import { pathToFileURL } from 'node:url';

/**
 * Runs a process's start function when its module is the entry point (not when it is imported, as
 * tests and benchmarks do), and closes it cleanly, once, on SIGINT/SIGTERM (Ctrl-C in a terminal
 * sends SIGINT to every process of `npm start`, whose supervisor then sends SIGTERM as well).
 */
export async function runIfMain(moduleUrl: string, start: () => Promise<{ close: () => Promise<void> }>) {
  if (moduleUrl !== pathToFileURL(process.argv[1] ?? '').href) return;
  const running = await start();
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('shutdown failed', err);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
