import { Worker, type Job, type Processor } from 'bullmq';
import { startStreamForwarder } from './event-stream.js';
import { createRedis } from './redis.js';
import type { Logger } from './logger.js';

/**
 * A BullMQ worker on one of the platform's queues (`lib/queues.ts`), with its own Redis connection
 * and the platform's key prefix. Failures are logged; BullMQ retries them per the job's options.
 * With `forwardFrom`, it also forwards that stream's entries into the queue (`lib/event-stream.ts`).
 */
export function startWorker<T>(opts: {
  queue: string;
  redisUrl: string;
  redisPrefix: string;
  concurrency?: number;
  /** How soon jobs of a dead worker are taken over (BullMQ's stalled-job check). */
  stalledIntervalMs?: number;
  /**
   * A stream whose entries become this queue's jobs (`eventStreamKey`); entries of a dead forwarder
   * are taken over after `stalledIntervalMs` too.
   */
  forwardFrom?: string;
  /** How the forwarder batches (`Config.eventForwarding`); the defaults are the configuration's. */
  forwarding?: { lingerMs?: number; batchSize?: number };
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
  const forwarder =
    opts.forwardFrom === undefined
      ? undefined
      : startStreamForwarder({
          stream: opts.forwardFrom,
          queue: opts.queue,
          redisUrl: opts.redisUrl,
          redisPrefix: opts.redisPrefix,
          claimIdleMs: opts.stalledIntervalMs,
          ...opts.forwarding,
          logger: opts.logger,
        });
  return {
    worker,
    close: async () => {
      await forwarder?.close();
      await worker.close();
      connection.disconnect();
    },
  };
}
