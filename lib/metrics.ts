import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Queue } from 'bullmq';
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
} from 'prom-client';
import type { Logger } from './logger.js';

/** Every metric name starts with this (Prometheus naming: `gridledger_<what>_<base unit>`). */
export const METRIC_PREFIX = 'gridledger_';

/** How long a scrape waits for Redis when it counts queue jobs; past it the gauge keeps its last value. */
const QUEUE_COUNT_TIMEOUT_MS = 500;

/** The BullMQ job states each queue gauge reports. */
const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/**
 * One process's Prometheus registry: Node's default process metrics plus the process's own, all named
 * with METRIC_PREFIX and labelled with the process (`service`). Served as `GET /metrics` in the text
 * exposition format, on the process's own port or on METRICS_PORT (see `serveMetrics`).
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly queues = new Set<Queue>();

  constructor(readonly service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });
    const queues = this.queues;
    new Gauge({
      name: `${METRIC_PREFIX}queue_jobs`,
      help: 'BullMQ jobs of each queue this process produces to or consumes from, by state',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        await Promise.all(
          [...queues].map(async (queue) => {
            let timer: NodeJS.Timeout | undefined;
            const counts = await Promise.race([
              queue.getJobCounts(...QUEUE_STATES),
              new Promise<null>(
                (resolve) => (timer = setTimeout(() => resolve(null), QUEUE_COUNT_TIMEOUT_MS)),
              ),
            ]).catch(() => null);
            clearTimeout(timer);
            if (!counts) return; // Redis away: no fresh figure, rather than a false zero
            for (const state of QUEUE_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
          }),
        );
      },
    });
  }

  counter<L extends string>(config: Omit<CounterConfiguration<L>, 'registers'>): Counter<L> {
    return new Counter({ ...config, name: `${METRIC_PREFIX}${config.name}`, registers: [this.registry] });
  }

  gauge<L extends string>(config: Omit<GaugeConfiguration<L>, 'registers'>): Gauge<L> {
    return new Gauge({ ...config, name: `${METRIC_PREFIX}${config.name}`, registers: [this.registry] });
  }

  histogram<L extends string>(config: Omit<HistogramConfiguration<L>, 'registers'>): Histogram<L> {
    return new Histogram({ ...config, name: `${METRIC_PREFIX}${config.name}`, registers: [this.registry] });
  }

  /** Reports the job counts of `queue` in `gridledger_queue_jobs` at every scrape. */
  watchQueue(queue: Queue): void {
    this.queues.add(queue);
  }

  /**
   * Writes the exposition text; true when `url` was `/metrics` (so the caller stops there). Never
   * rejects: a collector that fails makes a 500, not an unhandled rejection in the caller's server.
   */
  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean> {
    if ((req.url ?? '/').split('?')[0] !== '/metrics') return false;
    try {
      const body = await this.registry.metrics();
      res.writeHead(200, { 'content-type': this.registry.contentType });
      res.end(body);
    } catch {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('metrics unavailable\n');
    }
    return true;
  }
}

/** Where a process serves `/metrics`: beside its API, or on a listener of its own. */
export interface MetricsPlacement {
  /** Null: on the process's own HTTP port. */
  port: number | null;
  host: string;
}

/**
 * Serves `/metrics` on a listener of its own when `placement.port` is set (METRICS_PORT), and returns
 * a function that the process's main HTTP server calls for every request: it answers `/metrics` there
 * only when no separate port was chosen, so metrics are never on two doors at once.
 */
export async function serveMetrics(
  metrics: Metrics,
  placement: MetricsPlacement,
  logger: Logger,
): Promise<{
  onMainServer: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<boolean>;
  close: () => Promise<void>;
}> {
  if (placement.port === null) {
    return { onMainServer: (req, res) => metrics.handle(req, res), close: async () => {} };
  }
  const server = http.createServer((req, res) => {
    void metrics.handle(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(placement.port!, placement.host, () => resolve());
  });
  logger.info({ port: (server.address() as AddressInfo).port, host: placement.host }, 'metrics listening');
  return {
    onMainServer: async () => false,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
