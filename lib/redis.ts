import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from './logger.js';

/**
 * How long a command on a request-path connection may take (queued while Redis is away included)
 * before it fails: a GraphQL request that needs Redis during an outage gets SERVICE_UNAVAILABLE
 * within this, instead of hanging until Redis returns.
 */
export const REQUEST_COMMAND_TIMEOUT_MS = 500;

export interface RedisConnectionOptions extends RedisOptions {
  /** What the connection is for, in the outage log line. */
  purpose?: string;
  /**
   * A connection that request handlers wait on: its commands time out after
   * REQUEST_COMMAND_TIMEOUT_MS (a Redis that hangs), and fail at once while it is disconnected
   * (a Redis that is down). Never for BullMQ workers (their blocking commands wait by design).
   */
  requestPath?: boolean;
}

/**
 * Logs an outage once per process and Redis URL, however many connections see it and however often
 * they retry: one `warn` when the first connection loses Redis, one `info` when all are back.
 */
class OutageLog {
  private readonly down = new Set<object>();
  constructor(
    private readonly logger: Logger,
    private readonly target: string,
  ) {}

  lost(connection: object, purpose: string, err: unknown): void {
    const first = this.down.size === 0;
    this.down.add(connection);
    if (first) {
      this.logger.warn(
        { redis: this.target, purpose, reason: err instanceof Error ? err.message : String(err) },
        'redis unreachable; retrying (logged once per outage)',
      );
    }
  }

  restored(connection: object): void {
    if (!this.down.delete(connection)) return;
    if (this.down.size === 0) this.logger.info({ redis: this.target }, 'redis connection restored');
  }
}

const outageLogs = new WeakMap<Logger, Map<string, OutageLog>>();

/** The process's outage log for `url` (shared by every connection made with the same logger). */
export function redisOutageLog(logger: Logger, url: string): OutageLog {
  let byUrl = outageLogs.get(logger);
  if (!byUrl) outageLogs.set(logger, (byUrl = new Map()));
  const target = safeTarget(url);
  let log = byUrl.get(target);
  if (!log) byUrl.set(target, (log = new OutageLog(logger, target)));
  return log;
}

/** host:port of a Redis URL, without credentials, for logs. */
function safeTarget(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return 'redis';
  }
}

/**
 * A Redis connection with an error listener (an ioredis connection without one prints
 * "[ioredis] Unhandled error event" at every retry). `maxRetriesPerRequest: null` is what BullMQ
 * requires of the connections it is given; request-path connections time their commands out instead.
 */
export function createRedis(url: string, logger: Logger, options: RedisConnectionOptions = {}): Redis {
  const { purpose = 'redis', requestPath = false, ...rest } = options;
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    lazyConnect: false,
    ...(requestPath ? { commandTimeout: REQUEST_COMMAND_TIMEOUT_MS } : {}),
    ...rest,
  });
  watchRedis(redis, logger, url, purpose);
  if (requestPath) {
    // Once connected, a command issued while Redis is away fails at once instead of waiting out the
    // timeout in the offline queue: a request that makes several calls must not wait for each.
    // (Until the first connection the queue stays on, so that start-up does not race the connect.)
    redis.once('ready', () => {
      redis.options.enableOfflineQueue = false;
    });
  }
  return redis;
}

/** Attaches the outage log to a connection made elsewhere (BullMQ's duplicates, say). */
export function watchRedis(redis: Redis, logger: Logger, url: string, purpose: string): void {
  const outages = redisOutageLog(logger, url);
  redis.on('error', (err) => outages.lost(redis, purpose, err));
  redis.on('ready', () => outages.restored(redis));
}

const UNAVAILABLE_MESSAGES = [
  'Command timed out',
  "Stream isn't writeable",
  'Connection is closed',
  'Reached the max retries per request limit',
];

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EPIPE',
]);

/** True for the errors ioredis raises when Redis cannot be reached (not for Redis's own replies). */
export function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'MaxRetriesPerRequestError') return true;
  if (CONNECTION_CODES.has((err as { code?: string }).code ?? '')) return true;
  return UNAVAILABLE_MESSAGES.some((m) => err.message.startsWith(m));
}
