import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createLogger } from '../../lib/logger.js';
import { CONSUMER_TIMING, QUEUE } from '../../lib/queues.js';
import { SETTLEMENT_QUEUE } from '../../lib/settlement.js';
import { startWorker } from '../../lib/worker.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const logger = createLogger('test', 'silent');

/** A consumer in a process of its own (the compiled lib/worker.js) that takes jobs and never finishes them. */
function aConsumerThatHangs(queue: string, prefix: string) {
  const script = `
    import { startWorker } from ${JSON.stringify(`${DIST}lib/worker.js`)};
    import { createLogger } from ${JSON.stringify(`${DIST}lib/logger.js`)};
    startWorker({ queue: ${JSON.stringify(queue)}, redisUrl: ${JSON.stringify(REDIS_URL)},
      redisPrefix: ${JSON.stringify(prefix)}, logger: createLogger('hanging', 'silent'),
      process: async (job) => { console.log('taken ' + job.id); await new Promise(() => {}); } });`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const taken = new Promise<string>((resolve) =>
    createInterface({ input: child.stdout }).on('line', (l) => l.startsWith('taken ') && resolve(l.slice(6))),
  );
  return { child, taken };
}

afterAll(async () => {
  const redis = new Redis(REDIS_URL);
  for await (const keys of redis.scanStream({ match: 'gltest:takeover*', count: 500 }))
    if ((keys as string[]).length) await redis.del(...(keys as string[]));
  redis.disconnect();
});

it.concurrent.each([QUEUE.stationEvents, QUEUE.sessionEvents, SETTLEMENT_QUEUE])(
  'a job of %s whose consumer was killed (-9) mid-way is taken over within 10 s',
  async (name) => {
    const timing = CONSUMER_TIMING[name]!;
    expect(timing.lockDurationMs + 2 * timing.stalledIntervalMs).toBeLessThan(10_000);
    const prefix = `gltest:takeover${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const queue = new Queue(name, { connection: { url: REDIS_URL }, prefix: `${prefix}:bull` });
    await queue.add('work', { n: 1 }, { jobId: 'job-1', attempts: 3 });

    const hanging = aConsumerThatHangs(name, prefix);
    expect(await hanging.taken).toBe('job-1');
    hanging.child.kill('SIGKILL');
    await once(hanging.child, 'exit');
    const killedAt = Date.now();

    let takenOverAt = 0;
    const survivor = startWorker<{ n: number }>({
      queue: name,
      redisUrl: REDIS_URL,
      redisPrefix: prefix,
      logger,
      process: async () => {
        takenOverAt = Date.now();
      },
    });
    try {
      const deadline = killedAt + 10_000;
      while (!takenOverAt && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(takenOverAt).toBeGreaterThan(0);
      expect(takenOverAt - killedAt).toBeLessThan(10_000);
      const completed = async () => (await queue.getJob('job-1'))?.isCompleted();
      for (let i = 0; i < 50 && !(await completed()); i++) await new Promise((r) => setTimeout(r, 100));
      expect(await completed()).toBe(true);
    } finally {
      await survivor.close();
      await queue.close();
    }
  },
  20_000,
);
