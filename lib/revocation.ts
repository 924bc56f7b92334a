import type { Redis } from 'ioredis';

/**
 * Access tokens are short-lived JWTs checked at the gateway without a database. To make logout and
 * role changes take effect at once, the user subgraph records revocations in Redis and the gateway
 * checks them: a revoked login (`sid`), or "every token of this user issued before T".
 */
export class RevocationList {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** Revocations are kept as long as an access token can live. */
    private readonly ttlSeconds: number,
  ) {}

  private sidKey = (sid: string) => `${this.prefix}:revoked:sid:${sid}`;
  private userKey = (userId: string) => `${this.prefix}:revoked:before:${userId}`;

  async revokeLogin(sid: string): Promise<void> {
    await this.redis.set(this.sidKey(sid), '1', 'EX', this.ttlSeconds);
  }

  /**
   * Invalidates every access token of the user issued before `at` (their roles changed, or they were
   * locked). Access tokens carry their issue time in milliseconds (`iat_ms`), so the cut is exact: a
   * token refreshed earlier in the same second is caught, one refreshed after the change is not.
   */
  async revokeUserTokensBefore(userId: string, at: Date = new Date()): Promise<void> {
    await this.redis.set(this.userKey(userId), String(at.getTime()), 'EX', this.ttlSeconds);
  }

  /** True when a token with this login id, user and issue time has been revoked. */
  async isRevoked(sid: string | undefined, userId: string, issuedAt: number): Promise<boolean> {
    const [sidHit, before] = await this.redis.mget(
      sid ? this.sidKey(sid) : this.sidKey('-'),
      this.userKey(userId),
    );
    if (sidHit) return true;
    return before !== null && issuedAt < Number(before);
  }
}
