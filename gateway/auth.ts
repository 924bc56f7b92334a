import type http from 'node:http';
import { ANONYMOUS, type Viewer } from '../lib/auth.js';
import { AppError, ErrorCode } from '../lib/errors.js';
import type { RevocationList } from '../lib/revocation.js';
import { signInternalToken, verifyAccessToken } from '../lib/tokens.js';

export interface GatewayContext {
  viewer: Viewer;
  /** Short-lived token forwarded to every subgraph fetch of this request. */
  internalToken: string;
}

const fail = (message: string) => new AppError(ErrorCode.UNAUTHENTICATED, message, { http: { status: 401 } });

/**
 * Verifies the caller once per request and mints the internal token the subgraphs require. A request
 * without credentials is anonymous; a request with bad, expired or revoked credentials is refused, so
 * that a client learns to refresh instead of silently losing its identity.
 */
export class GatewayAuthenticator {
  private readonly minted = new Map<string, { token: string; renewAt: number }>();

  constructor(
    private readonly opts: {
      jwtSecret: string;
      internalTokenSecret: string;
      internalTokenTtlSeconds: number;
      revocations: RevocationList;
    },
  ) {}

  async viewerFromAuthorization(header: string | undefined): Promise<{ viewer: Viewer; expiresAt?: number }> {
    if (!header) return { viewer: ANONYMOUS };
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw fail('Authorization header must be "Bearer <access token>"');
    const result = await verifyAccessToken(this.opts.jwtSecret, match[1]!);
    if (!result.ok)
      throw fail(result.reason === 'expired' ? 'Access token has expired' : 'Invalid access token');
    if (await this.opts.revocations.isRevoked(result.sid, result.viewer.userId!, result.issuedAt)) {
      throw fail('Access token has been revoked');
    }
    return { viewer: result.viewer, expiresAt: result.expiresAt };
  }

  async context(req: http.IncomingMessage): Promise<GatewayContext> {
    const { viewer } = await this.viewerFromAuthorization(req.headers.authorization);
    return { viewer, internalToken: await this.internalToken(viewer) };
  }

  /** Internal tokens are reused per identity for half their lifetime: signing one per request is waste. */
  async internalToken(viewer: Viewer): Promise<string> {
    const key = `${viewer.userId ?? ''}|${viewer.roles.join(',')}`;
    const now = Date.now();
    const cached = this.minted.get(key);
    if (cached && cached.renewAt > now) return cached.token;
    const token = await signInternalToken(
      this.opts.internalTokenSecret,
      this.opts.internalTokenTtlSeconds,
      viewer,
    );
    if (this.minted.size > 50_000) this.minted.clear();
    this.minted.set(key, { token, renewAt: now + (this.opts.internalTokenTtlSeconds * 1000) / 2 });
    return token;
  }
}
