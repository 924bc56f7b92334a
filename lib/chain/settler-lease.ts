import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

/** The lease was lost (expired while this process stalled, or taken over): nothing may be sent. */
export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
}

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * One writer per settler key across processes: a Redis lease (`<prefix>:settler-lease:<address>`)
 * that its holder renews every ttl/3. Whoever does not hold it waits (polling every ttl/5), and takes
 * over within about one ttl when the holder dies. Each holding gets a fencing token (a counter in
 * Redis), and the holder checks that the lease still names it right before each transaction it
 * sends; two workers sharing a key therefore never replace each other's transactions. (Between the
 * check and the send a stalled holder could in theory lose the lease: the ttl is far longer than
 * that gap, and the sender's nonce check still catches a transaction that is not ours.)
 */
export class SettlerLease {
  private readonly holder = randomUUID();
  private value: string | null = null;
  private renewer: NodeJS.Timeout | undefined;
  private acquiring: Promise<number> | null = null;
  fence = 0;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly logger: Logger,
    private readonly ttlMs = 10_000,
  ) {}

  /** Resolves once this process holds the lease (at once when it does), with its fencing token. */
  acquire(): Promise<number> {
    if (this.value) return Promise.resolve(this.fence);
    this.acquiring ??= (async () => {
      let waited = false;
      for (;;) {
        const fence = await this.redis.incr(`${this.key}:fence`);
        const value = `${this.holder}:${fence}`;
        if ((await this.redis.set(this.key, value, 'PX', this.ttlMs, 'NX')) === 'OK') {
          this.value = value;
          this.fence = fence;
          this.renewer = setInterval(() => void this.renew(), Math.max(50, this.ttlMs / 3));
          this.logger.info({ key: this.key, fence }, 'holding the settler lease');
          return fence;
        }
        if (!waited) this.logger.info({ key: this.key }, 'another worker holds the settler lease; waiting');
        waited = true;
        await new Promise((r) => setTimeout(r, Math.max(50, this.ttlMs / 5)));
      }
    })().finally(() => (this.acquiring = null));
    return this.acquiring;
  }

  private async renew(): Promise<void> {
    if (!this.value) return;
    const renewed = await this.redis.eval(RENEW, 1, this.key, this.value, this.ttlMs).catch(() => 0);
    if (renewed !== 1) this.lost('not renewed');
  }

  private lost(why: string) {
    if (!this.value) return;
    this.logger.warn({ key: this.key, fence: this.fence, why }, 'settler lease lost');
    this.value = null;
    clearInterval(this.renewer);
  }

  /** Throws LeaseLostError unless Redis still names this holding (right before a send). */
  async check(): Promise<void> {
    const value = this.value;
    if (!value || (await this.redis.get(this.key)) !== value) {
      this.lost('taken over');
      throw new LeaseLostError(`the settler lease ${this.key} is no longer ours (fence ${this.fence})`);
    }
  }

  /** Gives the lease up (a clean shutdown), so that another worker need not wait for it to expire. */
  async release(): Promise<void> {
    const value = this.value;
    this.value = null;
    clearInterval(this.renewer);
    if (value) await this.redis.eval(RELEASE, 1, this.key, value).catch(() => 0);
  }

  /** Stops renewing without giving the lease up, as a crashed process would (tests). */
  abandon(): void {
    this.value = null;
    clearInterval(this.renewer);
  }
}
