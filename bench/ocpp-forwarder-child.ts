/**
 * The stream forwarders during the OCPP benchmark, in a process of their own (in production they run
 * in the station and session subgraphs): they move the bridge's stream entries into the BullMQ
 * queues, so the stream is drained as it would be and BullMQ's CPU cost is measured where it now
 * falls. Answers `{ type: 'stats' }` IPC messages with its CPU time and the jobs forwarded so far;
 * `--profile-forwarder` profiles it.
 */
import { startStreamForwarder } from '../lib/event-stream.js';
import { loadConfig } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { eventStreamKey, QUEUE } from '../lib/queues.js';
import { answerBenchMessages } from './ocpp-bench-shared.js';

// EVENT_FORWARD_LINGER_MS and EVENT_FORWARD_BATCH_SIZE apply as in the subgraphs.
const { redisUrl, redisPrefix, eventForwarding } = loadConfig();
const logger = createLogger('bench-forwarder', process.env.LOG_LEVEL ?? 'warn');
const forwarders = [QUEUE.stationEvents, QUEUE.sessionEvents].map((queue) =>
  startStreamForwarder({
    stream: eventStreamKey(redisPrefix, queue),
    queue,
    redisUrl,
    redisPrefix,
    ...eventForwarding,
    logger,
  }),
);

answerBenchMessages(() => ({
  cpu: process.cpuUsage(),
  forwarded: forwarders.reduce((n, f) => n + f.forwarded(), 0),
  batches: forwarders.reduce((n, f) => n + f.batches(), 0),
}));
process.send!({ type: 'ready' });
process.on('SIGTERM', () => void Promise.all(forwarders.map((f) => f.close())).then(() => process.exit(0)));
