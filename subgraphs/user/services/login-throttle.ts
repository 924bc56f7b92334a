import type { Redis } from 'ioredis';
import { AppError, ErrorCode } from '../../../lib/errors.js';
import { RateLimiter } from '../../../lib/rate-limit.js';

/** Failed logins allowed per email and client address before each further try must wait. */
export const FREE_FAILURES_PER_PAIR = 5;
/** Failed logins allowed per client address, over all emails, before each further try must wait. */
export const FREE_FAILURES_PER_ADDRESS = 100;
/** Counters are forgotten this long after the last failure. */
const WINDOW_MS = 15 * 60_000;
/** The longest wait between two throttled tries. */
const MAX_DELAY_MS = 15 * 60_000;

/** The wait before the n-th try beyond the free ones: 1 s, 2 s, 4 s, … at most MAX_DELAY_MS. */
const delayFor = (beyond: number) => Math.min(MAX_DELAY_MS, 1000 * 2 ** Math.max(0, beyond - 1));

/**
 * Slows down password guessing without letting anyone lock an account that is not theirs.
 *
 * Counts failures per (email, client address) and per client address, in Redis, atomically: every
 * try is counted (INCR) before its password is checked, so a burst of parallel guesses gets no more
 * checks than one guess after another. Past the free failures, a try is checked only when it takes
 * the pair's (or address's) single slot, which frees after a delay that doubles with each failure;
 * every other try is refused with RATE_LIMITED and Retry-After, without a password check (and is not
 * counted). An address shared by many (an office, a carrier NAT) counts failures only. The owner
 * logging in from another address is not affected; a success clears the pair's counter.
 *
 * The answer depends on the email string only, never on whether the account exists.
 */
export class LoginThrottle {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** Accounts one address may register per hour; 0 for no limit. */
    private readonly registrationsPerHour = 0,
  ) {
    this.hourly = new RateLimiter(redis, prefix);
  }

  /** Fixed-window counters per clock hour (registrations, mails asked for). */
  private readonly hourly: RateLimiter;

  /**
   * Counts a registration from `address`; RATE_LIMITED past `registrationsPerHour` in the current
   * hour. Registering tells whether an email is taken (CONFLICT), so this also bounds how fast one
   * address can probe which emails have accounts. Counted before anything is checked.
   */
  async registration(address: string): Promise<void> {
    if (this.registrationsPerHour <= 0) return;
    if (!(await this.underHourlyLimit('register', address, this.registrationsPerHour))) {
      const now = Math.floor(Date.now() / 1000);
      const retryAfter = Math.max(1, 3600 - (now % 3600));
      throw new AppError(
        ErrorCode.RATE_LIMITED,
        `At most ${this.registrationsPerHour} registrations an hour from one address; retry in ${retryAfter} s`,
        { retryAfterSeconds: retryAfter },
      );
    }
  }

  private keys(email: string, address: string) {
    const pair = `${this.prefix}:login:pair:${address}|${email}`;
    const addr = `${this.prefix}:login:addr:${address}`;
    return { pair, addr, pairSlot: `${pair}:slot`, addrSlot: `${addr}:slot` };
  }

  /**
   * Counts one event of `kind` for `subject` in the current clock hour; false once there have been
   * more than `max` (the event should not happen).
   */
  async underHourlyLimit(kind: string, subject: string, max: number): Promise<boolean> {
    return (await this.hourly.count(`${kind}:${subject}`, 3600)) <= max;
  }

  /**
   * Runs `check` (the password check) if this try may go ahead now; returns what it said.
   * `onThrottled` is told when a pair (email, address) starts being slowed down, once per window.
   */
  async attempt(
    email: string,
    address: string,
    check: () => Promise<boolean>,
    onThrottled: () => void = () => {},
  ): Promise<boolean> {
    const k = this.keys(email, address);
    const counted = await this.redis
      .multi()
      .incr(k.pair)
      .pexpire(k.pair, WINDOW_MS)
      .incr(k.addr)
      .pexpire(k.addr, WINDOW_MS)
      .exec();
    const pairTries = Number(counted?.[0]?.[1] ?? 0);
    const addrTries = Number(counted?.[2]?.[1] ?? 0);
    for (const [tries, free, slot] of [
      [pairTries, FREE_FAILURES_PER_PAIR, k.pairSlot],
      [addrTries, FREE_FAILURES_PER_ADDRESS, k.addrSlot],
    ] as const) {
      if (tries <= free) continue;
      const took = await this.redis.set(slot, '1', 'PX', delayFor(tries - free), 'NX');
      if (took !== 'OK') {
        // Not a try after all: it neither ran nor should lengthen the next wait.
        await this.redis.multi().decr(k.pair).decr(k.addr).exec();
        const waitMs = Math.max(1, await this.redis.pttl(slot));
        const retryAfter = Math.ceil(waitMs / 1000);
        // No HTTP status here: a subgraph's non-200 answer reaches the client as a gateway error.
        throw new AppError(ErrorCode.RATE_LIMITED, `Too many failed logins; retry in ${retryAfter} s`, {
          retryAfterSeconds: retryAfter,
        });
      }
    }
    const ok = await check();
    if (!ok && pairTries === FREE_FAILURES_PER_PAIR) onThrottled();
    // A success is no failure: the pair starts afresh, and the address counts failures only.
    if (ok) await this.redis.multi().del(k.pair, k.pairSlot).decr(k.addr).exec();
    return ok;
  }
}
