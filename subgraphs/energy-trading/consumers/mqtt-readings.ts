import mqtt from 'mqtt';
import type pg from 'pg';
import { z } from 'zod';
import type { Logger } from '../../../lib/logger.js';
import type { Metrics } from '../../../lib/metrics.js';
import { isUuid } from '../../../lib/ids.js';
import { verifySignature } from '../services/device-keys.js';
import type { IncomingReading, ReadingOutcome } from '../services/readings.js';

/** Where meters publish: `gridledger/meters/<meterId>/readings`. */
export const READINGS_TOPIC = 'gridledger/meters/+/readings';
/**
 * The instances of one platform (one REDIS_PREFIX) share a subscription, so that each message goes
 * to one of them; other platforms on the same broker (a test run beside a development one) have
 * groups of their own, and drop meters they do not know.
 */
export const sharedTopic = (platform: string) =>
  `$share/gridledger-energy-${platform.replace(/[^\w:-]/g, '_')}/${READINGS_TOPIC}`;
/** A message may carry this many readings at most (as a GraphQL call). */
export const MAX_READINGS_PER_MESSAGE = 1000;
/**
 * Messages are gathered for this long, or until FLUSH_MESSAGES have come, and stored as one batch.
 * Batches stay small so that the event loop is never busy for long: the broker holds the messages
 * a subscriber has not acknowledged, and drops them beyond its queue limit (Mosquitto's
 * `max_queued_messages`, 1,000 by default: raise it for large fleets).
 */
const FLUSH_AFTER_MS = 50;
const FLUSH_MESSAGES = 100;

/**
 * A message: JSON `{ "body": "<JSON text>", "signature": "<hex HMAC-SHA256 of body's UTF-8 bytes>" }`
 * (the key: services/device-keys.ts), where body is `{ "readings": [{ "timestamp": ISO 8601,
 * "importWh": int, "exportWh": int }, …] }`. Signing the body as sent avoids any question of how
 * JSON is re-serialised.
 */
const envelope = z.object({ body: z.string().max(256_000), signature: z.string().optional() });
const body = z.object({
  readings: z
    .array(z.object({ timestamp: z.string(), importWh: z.number(), exportWh: z.number() }))
    .min(1)
    .max(MAX_READINGS_PER_MESSAGE),
});

type Drop = 'malformed' | 'unsigned' | 'bad_signature' | 'unknown_meter';

interface Pending {
  meterId: string;
  raw: Buffer;
}

/**
 * Subscribes to the meters' readings on the broker at `url`. Unsigned, wrongly signed and malformed
 * messages are dropped and counted (`gridledger_mqtt_messages_total{outcome}`); nothing a message
 * holds can stop the consumer. Stored readings go through the same `ingest` as GraphQL's.
 */
export function consumeMqttReadings(deps: {
  url: string;
  /** The platform's namespace (REDIS_PREFIX): its instances' shared subscription. */
  platform: string;
  pool: pg.Pool;
  ingest: (readings: IncomingReading[]) => Promise<ReadingOutcome[]>;
  logger: Logger;
  metrics: Metrics;
}) {
  const messages = deps.metrics.counter({
    name: 'mqtt_messages_total',
    help: 'MQTT reading messages by outcome (stored, or why they were dropped)',
    labelNames: ['outcome'],
  });
  const readings = deps.metrics.counter({
    name: 'mqtt_readings_total',
    help: 'Readings that arrived over MQTT in signed messages, by outcome',
    labelNames: ['outcome'],
  });
  const client = mqtt.connect(deps.url, {
    clientId: `gridledger-energy-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
    reconnectPeriod: 1000,
    protocolVersion: 5,
  });
  const drop = (outcome: Drop, detail?: string) => {
    messages.inc({ outcome });
    deps.logger.debug({ outcome, detail }, 'MQTT message dropped');
  };
  let pending: Pending[] = [];
  let timer: NodeJS.Timeout | null = null;
  let flushing: Promise<void> = Promise.resolve();

  client.on('connect', () => {
    client.subscribe(sharedTopic(deps.platform), { qos: 1 }, (err) => {
      if (err) deps.logger.error({ err }, 'MQTT subscription refused');
      else deps.logger.info({ topic: READINGS_TOPIC }, 'subscribed to meter readings');
    });
  });
  client.on('error', (err) => deps.logger.warn({ err }, 'MQTT connection error'));
  client.on('message', (topic, payload) => {
    const meterId = topic.split('/')[2] ?? '';
    if (!isUuid(meterId)) return drop('malformed', 'topic');
    pending.push({ meterId, raw: payload });
    if (pending.length >= FLUSH_MESSAGES) flushSoon(0);
    else flushSoon(FLUSH_AFTER_MS);
  });

  function flushSoon(ms: number) {
    if (timer && ms > 0) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      const batch = pending;
      pending = [];
      flushing = flushing
        .then(() => flush(batch))
        .catch((err: unknown) => {
          deps.logger.error({ err }, 'MQTT readings not stored');
        });
    }, ms);
  }

  async function flush(batch: Pending[]) {
    if (batch.length === 0) return;
    const ids = [...new Set(batch.map((p) => p.meterId))];
    const { rows } = await deps.pool.query<{ id: string; key_hash: string }>(
      'select id, key_hash from "market"."meter" where id = any($1::uuid[])',
      [ids],
    );
    const keyOf = new Map(rows.map((r) => [r.id, r.key_hash]));
    const incoming: IncomingReading[] = [];
    for (const p of batch) {
      let parsedEnvelope: z.infer<typeof envelope>;
      try {
        const e = envelope.safeParse(JSON.parse(p.raw.toString('utf8')));
        if (!e.success) {
          drop('malformed', 'envelope');
          continue;
        }
        parsedEnvelope = e.data;
      } catch {
        drop('malformed', 'not JSON');
        continue;
      }
      const key = keyOf.get(p.meterId);
      if (!key) {
        drop('unknown_meter');
        continue;
      }
      if (!parsedEnvelope.signature) {
        drop('unsigned');
        continue;
      }
      if (!verifySignature(key, Buffer.from(parsedEnvelope.body, 'utf8'), parsedEnvelope.signature)) {
        drop('bad_signature');
        continue;
      }
      let parsedBody: z.infer<typeof body>;
      try {
        const b = body.safeParse(JSON.parse(parsedEnvelope.body));
        if (!b.success) {
          drop('malformed', 'body');
          continue;
        }
        parsedBody = b.data;
      } catch {
        drop('malformed', 'body is not JSON');
        continue;
      }
      messages.inc({ outcome: 'stored' });
      for (const r of parsedBody.readings)
        incoming.push({
          meterId: p.meterId,
          ts: Date.parse(r.timestamp),
          importWh: r.importWh,
          exportWh: r.exportWh,
        });
    }
    if (incoming.length === 0) return;
    const outcomes = await deps.ingest(incoming);
    for (const o of outcomes) readings.inc({ outcome: o.status.toLowerCase() });
  }

  return {
    client,
    /** Resolves once the subscription is in place. */
    ready: () =>
      new Promise<void>((resolve) => {
        if (client.connected) resolve();
        else client.once('connect', () => resolve());
      }),
    close: async () => {
      if (timer) clearTimeout(timer);
      await flushing;
      await client.endAsync();
    },
  };
}
