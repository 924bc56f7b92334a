import { Worker, type Job, type Processor } from 'bullmq';
import { createRedis } from './redis.js';
import type { Logger } from './logger.js';

/**
 * A BullMQ worker on one of the platform's queues (`lib/queues.ts`), with its own Redis connection
 * and the platform's key prefix. Failures are logged; BullMQ retries them per the job's options.
 */
export function startWorker<T>(opts: {
  queue: string;
  redisUrl: string;
  redisPrefix: string;
  concurrency?: number;
  /** How soon jobs of a dead worker are taken over (BullMQ's stalled-job check). */
  stalledIntervalMs?: number;
  logger: Logger;
  process: (job: Job<T>) => Promise<unknown>;
}) {
  const connection = createRedis(opts.redisUrl);
  const worker = new Worker<T>(opts.queue, opts.process as Processor<T>, {
    connection,
    prefix: `${opts.redisPrefix}:bull`,
    concurrency: opts.concurrency ?? 8,
    stalledInterval: opts.stalledIntervalMs ?? 30_000,
  });
  worker.on('failed', (job, err) => {
    const final = job && job.attemptsMade >= (job.opts.attempts ?? 1);
    opts.logger[final ? 'error' : 'debug'](
      { err, jobId: job?.id, attempts: job?.attemptsMade },
      'job failed',
    );
  });
  worker.on('error', (err) => opts.logger.warn({ err }, 'worker error'));
  return {
    worker,
    close: async () => {
      await worker.close();
      connection.disconnect();
    },
  };
}
