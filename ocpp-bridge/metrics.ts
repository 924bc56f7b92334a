import type { Counter } from 'prom-client';
import type { Metrics } from '../lib/metrics.js';
import type { OcppProtocol } from '../lib/queues.js';

/** Enqueue durations in seconds: a Redis round trip on loopback (~0.2 ms) up to the enqueue timeout. */
const ENQUEUE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Why a charger's connection was refused (`gridledger_ocpp_connections_refused_total{reason}`). */
export type RefusalReason = 'endpoint' | 'subprotocol' | 'cap' | 'auth' | 'certificate' | 'auth_unavailable';

/**
 * The OCPP bridge's metrics. Label children are cached: the message counter is on the path of every
 * message, and looking a child up by its labels costs more than counting.
 */
export function bridgeMetrics(metrics: Metrics, connections: () => Record<OcppProtocol, number>) {
  metrics.gauge({
    name: 'ocpp_connections',
    help: 'Charger connections held by this bridge, by OCPP protocol',
    labelNames: ['protocol'],
    collect() {
      for (const [protocol, n] of Object.entries(connections())) this.set({ protocol }, n);
    },
  });
  const messages = metrics.counter({
    name: 'ocpp_messages_total',
    help: 'OCPP calls by action, direction (in: charger to bridge, out: bridge to charger) and result (ok or the OCPP error code)',
    labelNames: ['action', 'direction', 'result'],
  });
  const enqueue = metrics.histogram({
    name: 'ocpp_enqueue_duration_seconds',
    help: 'Time until Redis held the durable jobs of one charger message (the charger is answered after it)',
    labelNames: ['queue'],
    buckets: ENQUEUE_BUCKETS,
  });
  const commands = metrics.counter({
    name: 'ocpp_commands_total',
    help: 'Remote commands sent to chargers, by command and outcome',
    labelNames: ['command', 'outcome'],
  });
  const refused = metrics.counter({
    name: 'ocpp_connections_refused_total',
    help: 'Charger connections refused, by reason',
    labelNames: ['reason'],
  });
  const children = new Map<string, ReturnType<Counter<'action' | 'direction' | 'result'>['labels']>>();
  return {
    message(action: string, direction: 'in' | 'out', result: string): void {
      const key = `${action}|${direction}|${result}`;
      let child = children.get(key);
      if (!child) children.set(key, (child = messages.labels({ action, direction, result })));
      child.inc();
    },
    enqueued(queue: string, seconds: number): void {
      enqueue.observe({ queue }, seconds);
    },
    command(command: string, outcome: string): void {
      commands.inc({ command, outcome });
    },
    refused(reason: RefusalReason): void {
      refused.inc({ reason });
    },
  };
}

export type BridgeMetrics = ReturnType<typeof bridgeMetrics>;
