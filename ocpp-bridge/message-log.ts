import type { Redis } from 'ioredis';
import type { Logger } from '../lib/logger.js';
import { encodeFrame, messageLogKey } from '../lib/ocpp-message-log.js';

export interface MessageLogOptions {
  redis: Redis;
  prefix: string;
  logger: Logger;
  /** A batch leaves at least this often. */
  flushMs?: number;
  /** …or once it holds this many UTF-16 code units. */
  maxBatchChars?: number;
  /** Frames logged per charger per minute; a chattier charger's excess is counted, not stored. */
  perChargerPerMinute: number;
  /** Batches Redis holds for the station subgraph at most (older ones are dropped: bounded memory). */
  maxBacklogBatches?: number;
}

/**
 * Ships every frame in and out of the bridge to the message log (see lib/ocpp-message-log.ts): an
 * append to an in-memory batch on the message path, one Redis RPUSH (+ LTRIM) per batch off it.
 * Bounded: per charger per minute, per batch, and in Redis's backlog.
 */
export class MessageLogShipper {
  private batch: string[] = [];
  private chars = 0;
  private readonly counts = new Map<string, number>();
  private dropped = 0;
  private readonly timer: NodeJS.Timeout;
  private minute = Math.floor(Date.now() / 60_000);
  private readonly key: string;

  constructor(private readonly opts: MessageLogOptions) {
    this.key = messageLogKey(opts.prefix);
    this.timer = setInterval(() => void this.flush(), opts.flushMs ?? 1000);
    this.timer.unref();
  }

  record(identity: string, outbound: boolean, frame: string): void {
    const now = Date.now();
    const minute = Math.floor(now / 60_000);
    if (minute !== this.minute) {
      this.minute = minute;
      this.counts.clear();
    }
    const count = (this.counts.get(identity) ?? 0) + 1;
    this.counts.set(identity, count);
    if (count > this.opts.perChargerPerMinute) {
      this.dropped++;
      return;
    }
    const record = encodeFrame(identity, outbound, now, frame);
    this.batch.push(record);
    this.chars += record.length;
    if (this.chars >= (this.opts.maxBatchChars ?? 1_000_000)) void this.flush();
  }

  async flush(): Promise<void> {
    if (this.dropped) {
      this.opts.logger.warn(
        { dropped: this.dropped },
        'message log: frames over the per-charger rate not stored',
      );
      this.dropped = 0;
    }
    if (!this.batch.length) return;
    const batch = this.batch.join('');
    this.batch = [];
    this.chars = 0;
    try {
      await this.opts.redis
        .multi()
        .rpush(this.key, batch)
        .ltrim(this.key, -(this.opts.maxBacklogBatches ?? 600), -1)
        .exec();
    } catch (err) {
      this.opts.logger.warn({ err }, 'message log: a batch was lost (Redis unavailable)');
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
