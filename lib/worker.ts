import { Queue, Worker, type Job, type Processor } from 'bullmq';
import { createRedis, isRedisUnavailable, redisOutageLog } from './redis.js';
import { withLogContext, type Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { CONSUMER_TIMING, DEFAULT_CONSUMER_TIMING } from './queues.js';

/**
 * A BullMQ worker on one of the platform's queues (`lib/queues.ts`), with its own Redis connection
 * and the platform's key prefix, holding its jobs as CONSUMER_TIMING says for that queue. Each job
 * runs with its queue, id and (when it has one) the request id that caused it on every log line.
 * Failures are logged; BullMQ retries them per the job's options. Connection errors are logged once
 * per outage. With `metrics`, the queue's job counts are in `gridledger_queue_jobs`.
 */
export function startWorker<T>(opts: {
  queue: string;
  redisUrl: string;
  redisPrefix: string;
  concurrency?: number;
  logger: Logger;
  metrics?: Metrics;
  process: (job: Job<T>) => Promise<unknown>;
}) {
  const timing = CONSUMER_TIMING[opts.queue] ?? DEFAULT_CONSUMER_TIMING;
  const connection = createRedis(opts.redisUrl, opts.logger, { purpose: `consumer of ${opts.queue}` });
  const processor: Processor<T> = (job) =>
    withLogContext(
      {
        queue: opts.queue,
        jobId: job.id,
        requestId: (job.data as { requestId?: string } | undefined)?.requestId,
      },
      () => opts.process(job),
    );
  const worker = new Worker<T>(opts.queue, processor, {
    connection,
    prefix: `${opts.redisPrefix}:bull`,
    concurrency: opts.concurrency ?? 8,
    lockDuration: timing.lockDurationMs,
    stalledInterval: timing.stalledIntervalMs,
    maxStalledCount: timing.maxStalledCount,
  });
  // For the queue gauges only (job counts); it shares the worker's non-blocking connection.
  const counts = opts.metrics
    ? new Queue(opts.queue, { connection, prefix: `${opts.redisPrefix}:bull` })
    : null;
  if (counts) opts.metrics!.watchQueue(counts);
  const outages = redisOutageLog(opts.logger, opts.redisUrl);
  worker.on('failed', (job, err) => {
    const final = job && job.attemptsMade >= (job.opts.attempts ?? 1);
    opts.logger[final ? 'error' : 'debug'](
      { err, jobId: job?.id, queue: opts.queue, attempts: job?.attemptsMade },
      'job failed',
    );
  });
  const onError = (err: Error) => {
    if (isRedisUnavailable(err)) outages.lost(connection, `consumer of ${opts.queue}`, err);
    else opts.logger.warn({ err, queue: opts.queue }, 'worker error');
  };
  worker.on('error', onError);
  counts?.on('error', onError);
  return {
    worker,
    close: async () => {
      await worker.close();
      await counts?.close();
      connection.disconnect();
    },
  };
}
