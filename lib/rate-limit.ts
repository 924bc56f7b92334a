import type { Redis } from 'ioredis';
import { HeaderMap } from '@apollo/server';
import { AppError, ErrorCode } from './errors.js';

export interface Limit {
  /** Requests allowed per window; 0 turns the limit off. */
  max: number;
  windowSeconds: number;
}

/**
 * Fixed-window request limits in Redis, shared by every gateway instance: one round trip per request
 * (INCR and EXPIRE of each window in one MULTI). A caller over any of its limits gets RATE_LIMITED
 * with HTTP 429 and Retry-After.
 */
export class RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /**
   * Adds `amount` (one event by default) to `principal`'s count in the current window of
   * `windowSeconds`; returns the count, and when the window ends (Unix seconds).
   */
  async add(
    principal: string,
    windowSeconds: number,
    amount = 1,
  ): Promise<{ count: number; resetAt: number }> {
    const now = Math.floor(Date.now() / 1000);
    const start = now - (now % windowSeconds);
    const key = `${this.prefix}:rl:${principal}:${windowSeconds}:${start}`;
    const results = await this.redis
      .multi()
      .incrby(key, amount)
      .expire(key, windowSeconds + 1)
      .exec();
    return { count: Number(results?.[0]?.[1] ?? 0), resetAt: start + windowSeconds };
  }

  /** Counts one event of `principal` in the current window of `windowSeconds`; returns the count. */
  async count(principal: string, windowSeconds: number): Promise<number> {
    return (await this.add(principal, windowSeconds)).count;
  }

  /** The current window's count of `principal` (see `count`), without counting. */
  async peek(principal: string, windowSeconds: number): Promise<number> {
    const now = Math.floor(Date.now() / 1000);
    return Number(
      (await this.redis.get(
        `${this.prefix}:rl:${principal}:${windowSeconds}:${now - (now % windowSeconds)}`,
      )) ?? 0,
    );
  }

  async consume(principal: string, limits: Limit[]): Promise<void> {
    const active = limits.filter((l) => l.max > 0);
    if (active.length === 0) return;
    const now = Math.floor(Date.now() / 1000);
    const multi = this.redis.multi();
    const windows = active.map((l) => {
      const start = now - (now % l.windowSeconds);
      const key = `${this.prefix}:rl:${principal}:${l.windowSeconds}:${start}`;
      multi.incr(key).expire(key, l.windowSeconds + 1);
      return { ...l, resetAt: start + l.windowSeconds };
    });
    const results = (await multi.exec()) ?? [];
    windows.forEach((w, i) => {
      const count = Number(results[i * 2]?.[1] ?? 0);
      if (count > w.max) {
        const retryAfter = Math.max(1, w.resetAt - now);
        throw new AppError(
          ErrorCode.RATE_LIMITED,
          `Rate limit of ${w.max} requests per ${w.windowSeconds} s exceeded; retry in ${retryAfter} s`,
          {
            retryAfterSeconds: retryAfter,
            http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfter)]]) },
          },
        );
      }
    });
  }
}
