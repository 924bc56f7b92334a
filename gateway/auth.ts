import type { KeyObject } from 'node:crypto';
import type http from 'node:http';
import { HeaderMap } from '@apollo/server';
import { ANONYMOUS, type Viewer } from '../lib/auth.js';
import { AppError, ErrorCode } from '../lib/errors.js';
import { currentRequestId } from '../lib/logger.js';
import { isRedisUnavailable } from '../lib/redis.js';
import type { RevocationList } from '../lib/revocation.js';
import type { UserServiceClient } from '../lib/service-clients/user.js';
import type { Limit, RateLimiter } from '../lib/rate-limit.js';
import { ApiKeyScope } from '../lib/scopes.js';
import type { SigningKeys } from '../lib/signing.js';
import {
  PUBLIC_DEVICE_KEY_HEADER,
  signInternalToken,
  verifyAccessToken,
  type TokenCheck,
} from '../lib/tokens.js';

/**
 * Whose allowance an operation counts against: its API key, else its account, else its address.
 * Rate limits and the cost budget share this.
 */
export function principalOf(viewer: Viewer, address: string | undefined) {
  if (viewer.apiKeyId) return { principal: `key:${viewer.apiKeyId}`, kind: 'apikey' as const };
  if (viewer.userId) return { principal: `user:${viewer.userId}`, kind: 'user' as const };
  return { principal: `ip:${address ?? 'unknown'}`, kind: 'anonymous' as const };
}

/**
 * The caller's address: the connection's peer, unless that peer is one of `trustedProxies`; then the
 * last address in `X-Forwarded-For` that is not a trusted proxy (each proxy appends the address it
 * saw, so earlier entries are whatever the client chose to send). Without trusted proxies the header
 * is ignored, so nobody escapes a per-address limit by sending it.
 */
export function clientAddressOf(req: http.IncomingMessage, trustedProxies: readonly string[]): string {
  const peer = normalizeAddress(req.socket.remoteAddress ?? 'unknown');
  if (!trustedProxies.includes(peer)) return peer;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((a) => normalizeAddress(a.trim()))
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) if (!trustedProxies.includes(hops[i]!)) return hops[i]!;
  return peer;
}

/** `::ffff:10.0.0.1` (an IPv4 client of a dual-stack socket) is `10.0.0.1`. */
const normalizeAddress = (address: string) => address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');

/** The platform's per-key windows, with the key's own limits where its owner set them. */
function keyLimits(platform: Limit[], own: Viewer['apiKeyLimits']): Limit[] {
  if (!own) return platform;
  return platform.map((l) => {
    const mine = l.windowSeconds === 60 ? own.perMinute : l.windowSeconds === 3600 ? own.perHour : null;
    return mine === null ? l : { ...l, max: mine };
  });
}

/** What an open graphql-ws socket authenticated with, to check again while it stays open. */
export type SocketCredential =
  | { kind: 'token'; userId: string; sid: string | undefined; issuedAt: number }
  | { kind: 'apikey'; apiKey: string; roles: readonly string[]; scopes: readonly string[] };

export interface GatewayContext {
  viewer: Viewer;
  /** Short-lived token forwarded to every subgraph fetch of this request. */
  internalToken: string;
  /** Forwarded to every subgraph fetch as `x-request-id` (see lib/http-server.ts). */
  requestId?: string;
  /** The caller's network address, forwarded to the subgraphs (login throttling). */
  clientAddress?: string;
  /** A meter's device key (`x-meter-key`), passed on for submitMeterReadings; it is no user credential. */
  deviceKey?: string;
}

/** The `x-meter-key` header, when it looks like a device key (bounded: it is forwarded upstream). */
function deviceKeyOf(req: http.IncomingMessage): string | undefined {
  const key = req.headers[PUBLIC_DEVICE_KEY_HEADER];
  return typeof key === 'string' && /^[\w-]{1,128}$/.test(key) ? key : undefined;
}

const API_KEY_CACHE_MS = 30_000;

const fail = (message: string) => new AppError(ErrorCode.UNAUTHENTICATED, message, { http: { status: 401 } });

/**
 * Verifies the caller once per request and mints the internal token the subgraphs require. A request
 * without credentials is anonymous; a request with bad, expired or revoked credentials is refused, so
 * that a client learns to refresh instead of silently losing its identity.
 */
export class GatewayAuthenticator {
  private readonly minted = new Map<string, { token: string; renewAt: number }>();
  private readonly gatewayKey: KeyObject;
  /** Access tokens whose signature was checked, until they expire (revocation is checked every time). */
  private readonly verified = new Map<string, TokenCheck & { ok: true }>();

  constructor(
    private readonly opts: {
      /** Public keys (access tokens are the user subgraph's) and the gateway's own private key. */
      signing: SigningKeys;
      internalTokenTtlSeconds: number;
      revocations: RevocationList;
      /** Asks the user subgraph whom an API key acts as. */
      users: UserServiceClient;
      rateLimiter: RateLimiter;
      limits: { apiKey: Limit[]; user: Limit[]; anonymous: Limit[]; failedAuthPerMinute: number };
      /** Counts a refusal (metrics). */
      onRateLimited?: (principal: 'apikey' | 'user' | 'anonymous') => void;
      /** Reverse proxies whose `X-Forwarded-For` is believed (TRUST_PROXY). */
      trustedProxies?: readonly string[];
    },
  ) {
    this.gatewayKey = opts.signing.privateKey('gateway');
  }

  /**
   * Checks an access token's signature and claims. A client sends the same token for minutes, and an
   * EdDSA check costs tens of microseconds, so good tokens are remembered until they expire.
   */
  private async verifiedAccessToken(token: string): Promise<TokenCheck> {
    const known = this.verified.get(token);
    if (known && known.expiresAt > Date.now()) return known;
    const result = await verifyAccessToken(this.opts.signing, token);
    if (result.ok) {
      if (this.verified.size >= 10_000) this.verified.clear();
      this.verified.set(token, result);
    }
    return result;
  }

  private readonly apiKeys = new Map<
    string,
    { viewer: Viewer | null; at: number; expiresAt: number | null }
  >();

  /**
   * Resolves a partner API key to the account it acts as. Answers (also "no such key") are cached for
   * `maxAgeMs` (API_KEY_CACHE_MS over HTTP), which is therefore how long a revoked key may still work.
   */
  async viewerFromApiKey(
    apiKey: string,
    maxAgeMs = API_KEY_CACHE_MS,
    /** Asked before a key not in the cache is looked up (the user subgraph, a database query). */
    beforeLookup: () => Promise<void> = async () => {},
  ): Promise<Viewer> {
    const now = Date.now();
    let cached = this.apiKeys.get(apiKey);
    if (!cached || now - cached.at >= maxAgeMs) {
      await beforeLookup();
      const id = await this.opts.users.apiKeyIdentity(apiKey);
      cached = {
        viewer: id
          ? {
              userId: id.userId,
              roles: id.roles,
              via: 'apikey',
              apiKeyId: id.keyId,
              // GraphQL gives the enum's names (STATIONS_READ); scopes are its values (stations:read).
              scopes: id.scopes.flatMap((n) => ApiKeyScope[n as keyof typeof ApiKeyScope] ?? []),
              apiKeyLimits: { perMinute: id.rateLimitPerMinute, perHour: id.rateLimitPerHour },
            }
          : null,
        at: now,
        expiresAt: id?.expiresAt ? Date.parse(id.expiresAt) : null,
      };
      if (this.apiKeys.size > 10_000) this.apiKeys.clear();
      this.apiKeys.set(apiKey, cached);
    }
    // An expired key stops at its expiry, not up to a cache lifetime later.
    if (!cached.viewer || (cached.expiresAt !== null && cached.expiresAt <= now))
      throw fail('Invalid, revoked or expired API key');
    return cached.viewer;
  }

  async viewerFromAuthorization(
    header: string | undefined,
  ): Promise<{ viewer: Viewer; expiresAt?: number; sid?: string; issuedAt?: number }> {
    if (!header) return { viewer: ANONYMOUS };
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw fail('Authorization header must be "Bearer <access token>"');
    const result = await this.verifiedAccessToken(match[1]!);
    if (!result.ok)
      throw fail(result.reason === 'expired' ? 'Access token has expired' : 'Invalid access token');
    // Fails closed: while Redis (which holds revocations) is away, a token that may have been revoked
    // is not honoured; the caller gets SERVICE_UNAVAILABLE within the command timeout, not a hang.
    const revoked = await this.opts.revocations
      .isRevoked(result.sid, result.viewer.userId!, result.issuedAt)
      .catch((err: unknown) => {
        if (!isRedisUnavailable(err)) throw err;
        throw new AppError(
          ErrorCode.SERVICE_UNAVAILABLE,
          'Signed-in requests are unavailable for a moment (the revocation list cannot be checked); retry shortly',
          { http: { status: 503, headers: new HeaderMap([['retry-after', '5']]) } },
        );
      });
    if (revoked) throw fail('Access token has been revoked');
    return { viewer: result.viewer, expiresAt: result.expiresAt, sid: result.sid, issuedAt: result.issuedAt };
  }

  /**
   * Authenticates a graphql-ws connection (`connection_init`): whom it acts as, when its token
   * expires, and what to check again while it stays open (none for an anonymous socket).
   */
  async authenticateSocket(
    apiKey: string | undefined,
    authorization: string | undefined,
  ): Promise<{ viewer: Viewer; expiresAt?: number; credential?: SocketCredential }> {
    if (apiKey) {
      const viewer = await this.viewerFromApiKey(apiKey);
      return {
        viewer,
        credential: { kind: 'apikey', apiKey, roles: viewer.roles, scopes: viewer.scopes ?? [] },
      };
    }
    const { viewer, expiresAt, sid, issuedAt } = await this.viewerFromAuthorization(authorization);
    if (!viewer.userId || issuedAt === undefined) return { viewer, expiresAt };
    return { viewer, expiresAt, credential: { kind: 'token', userId: viewer.userId, sid, issuedAt } };
  }

  /**
   * Whether an open socket's credentials still stand: its login and token are not revoked (exact, from
   * Redis), or its API key is still active with the same roles (asked again when the answer is older
   * than `apiKeyMaxAgeMs`). Null when it cannot be told now (Redis or the user subgraph away).
   */
  async stillValid(credential: SocketCredential, apiKeyMaxAgeMs: number): Promise<boolean | null> {
    try {
      if (credential.kind === 'token') {
        return !(await this.opts.revocations.isRevoked(
          credential.sid,
          credential.userId,
          credential.issuedAt,
        ));
      }
      const viewer = await this.viewerFromApiKey(credential.apiKey, apiKeyMaxAgeMs);
      return (
        viewer.roles.join(',') === credential.roles.join(',') &&
        (viewer.scopes ?? []).join(',') === credential.scopes.join(',')
      );
    } catch (err) {
      if (err instanceof AppError && err.extensions.code === ErrorCode.UNAUTHENTICATED) return false;
      return null;
    }
  }

  /** Authenticates (API key first, then bearer token, else anonymous) and applies the caller's rate limits. */
  async context(req: http.IncomingMessage): Promise<GatewayContext> {
    const apiKey = req.headers['x-api-key'];
    const address = this.clientAddress(req);
    let viewer: Viewer;
    try {
      viewer =
        typeof apiKey === 'string' && apiKey
          ? await this.viewerFromApiKey(apiKey, API_KEY_CACHE_MS, () => this.refuseIfFailing(address))
          : (await this.viewerFromAuthorization(req.headers.authorization)).viewer;
    } catch (err) {
      if (err instanceof AppError && err.extensions.code === ErrorCode.UNAUTHENTICATED)
        await this.countFailure(address);
      throw err;
    }
    await this.rateLimit(viewer, address);
    return {
      viewer,
      internalToken: await this.internalToken(viewer),
      requestId: currentRequestId(),
      clientAddress: address,
      deviceKey: deviceKeyOf(req),
    };
  }

  /**
   * Failed authentications (a bad or revoked token, an unknown key) are counted per address. Past
   * `limits.failedAuthPerMinute` in a minute, the address's next failure is RATE_LIMITED, and keys
   * the gateway has not cached are no longer looked up for it, so guessing keys costs the platform no
   * database queries. Valid tokens and cached keys from that address still work. Fails open while
   * Redis is away.
   */
  private async countFailure(address: string): Promise<void> {
    const max = this.opts.limits.failedAuthPerMinute;
    if (max <= 0) return;
    const n = await this.opts.rateLimiter.count(`authfail:${address}`, 60).catch(() => 0);
    if (n > max) throw this.tooManyFailures(max);
  }

  private async refuseIfFailing(address: string): Promise<void> {
    const max = this.opts.limits.failedAuthPerMinute;
    if (max <= 0) return;
    const n = await this.opts.rateLimiter.peek(`authfail:${address}`, 60).catch(() => 0);
    if (n >= max) throw this.tooManyFailures(max);
  }

  private tooManyFailures(max: number) {
    this.opts.onRateLimited?.('anonymous');
    return new AppError(
      ErrorCode.RATE_LIMITED,
      `More than ${max} failed authentications a minute from this address`,
      {
        retryAfterSeconds: 60,
        http: { status: 429, headers: new HeaderMap([['retry-after', '60']]) },
      },
    );
  }

  /**
   * Counts one operation against the caller's limits; RATE_LIMITED when one is exceeded.
   *
   * Fails open: while Redis (which holds the counters) is away, operations are not counted and go on.
   * Rate limits protect capacity, and refusing every caller would turn a Redis outage into a total
   * one; what needs Redis to be safe (the revocation check) fails closed instead.
   */
  async rateLimit(viewer: Viewer, remoteAddress: string | undefined): Promise<void> {
    const { limits, rateLimiter } = this.opts;
    const { principal, kind } = principalOf(viewer, remoteAddress);
    const windows =
      kind === 'apikey'
        ? keyLimits(limits.apiKey, viewer.apiKeyLimits)
        : kind === 'user'
          ? limits.user
          : limits.anonymous;
    try {
      await rateLimiter.consume(principal, windows);
    } catch (err) {
      if (isRedisUnavailable(err)) return;
      if (err instanceof AppError && err.extensions.code === ErrorCode.RATE_LIMITED)
        this.opts.onRateLimited?.(kind);
      throw err;
    }
  }

  /** The caller's address (see clientAddressOf). */
  clientAddress(req: http.IncomingMessage): string {
    return clientAddressOf(req, this.opts.trustedProxies ?? []);
  }

  /** Internal tokens are reused per identity for half their lifetime: signing one per request is waste. */
  async internalToken(viewer: Viewer): Promise<string> {
    // Everything the internal token carries is in the key: the account, its roles, the API key if any.
    const key = `${viewer.userId ?? ''}|${viewer.roles.join(',')}|${viewer.apiKeyId ?? ''}`;
    const now = Date.now();
    const cached = this.minted.get(key);
    if (cached && cached.renewAt > now) return cached.token;
    const token = await signInternalToken(this.gatewayKey, this.opts.internalTokenTtlSeconds, viewer);
    if (this.minted.size > 50_000) this.minted.clear();
    this.minted.set(key, { token, renewAt: now + (this.opts.internalTokenTtlSeconds * 1000) / 2 });
    return token;
  }
}
