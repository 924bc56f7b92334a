import { createHash, randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { ALL_ROLES, ANONYMOUS, type Role, type ServiceName, type Viewer } from './auth.js';

const ACCESS_AUDIENCE = 'gridledger-api';
const INTERNAL_AUDIENCE = 'gridledger-subgraph';
const ISSUER = 'gridledger';

/** Header that carries the gateway's short-lived internal token to the subgraphs. */
export const INTERNAL_TOKEN_HEADER = 'x-gridledger-internal';
/** The caller's network address as the gateway saw it, forwarded to the subgraphs (login throttling). */
export const CLIENT_ADDRESS_HEADER = 'x-gridledger-client-address';

const key = (secret: string) => new TextEncoder().encode(secret);

export type TokenCheck =
  | { ok: true; viewer: Viewer; expiresAt: number; issuedAt: number; sid?: string }
  | { ok: false; reason: 'expired' | 'invalid' };

function toViewer(payload: { sub?: string; roles?: unknown; svc?: unknown; key?: unknown }): Viewer | null {
  if (typeof payload.svc === 'string')
    return { userId: null, roles: [], via: 'service', service: payload.svc };
  const roles = Array.isArray(payload.roles) ? payload.roles : [];
  if (!roles.every((r) => ALL_ROLES.includes(r))) return null;
  if (!payload.sub) return ANONYMOUS;
  // Internal tokens of a caller that came with an API key say so (`key`): some fields refuse keys.
  if (typeof payload.key === 'string')
    return { userId: payload.sub, roles: roles as Role[], via: 'apikey', apiKeyId: payload.key };
  return { userId: payload.sub, roles: roles as Role[], via: 'jwt' };
}

async function verify(secret: string, token: string, audience: string): Promise<TokenCheck> {
  try {
    const { payload } = await jwtVerify(token, key(secret), {
      issuer: ISSUER,
      audience,
      algorithms: ['HS256'],
    });
    const viewer = toViewer(payload as { sub?: string; roles?: unknown; svc?: unknown; key?: unknown });
    if (!viewer || typeof payload.exp !== 'number' || typeof payload.iat !== 'number') {
      return { ok: false, reason: 'invalid' };
    }
    const sid = typeof payload.sid === 'string' ? payload.sid : undefined;
    // Millisecond issue time (access tokens carry it), so a revocation cuts between two tokens of one second.
    const issuedAt = typeof payload.iat_ms === 'number' ? payload.iat_ms : payload.iat * 1000;
    return { ok: true, viewer, expiresAt: payload.exp * 1000, issuedAt, sid };
  } catch (err) {
    return { ok: false, reason: err instanceof joseErrors.JWTExpired ? 'expired' : 'invalid' };
  }
}

/** Signs a user's access token (JWT, HS256). `sid` names the login (refresh-token family) it belongs to. */
export function signAccessToken(
  secret: string,
  ttlSeconds: number,
  userId: string,
  roles: Role[],
  sid: string,
) {
  return new SignJWT({ roles, sid, iat_ms: Date.now() })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(ISSUER)
    .setAudience(ACCESS_AUDIENCE)
    .setIssuedAt()
    .setJti(randomBytes(9).toString('base64url'))
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(key(secret));
}

export const verifyAccessToken = (secret: string, token: string) => verify(secret, token, ACCESS_AUDIENCE);

/**
 * Signs the internal token the gateway forwards to subgraphs. It is short-lived and uses its own
 * secret and audience, so a user's access token is never accepted by a subgraph directly.
 */
export function signInternalToken(secret: string, ttlSeconds: number, viewer: Viewer) {
  const claims =
    viewer.via === 'apikey' && viewer.apiKeyId
      ? { roles: viewer.roles, key: viewer.apiKeyId }
      : { roles: viewer.roles };
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' });
  if (viewer.userId) jwt.setSubject(viewer.userId);
  return jwt
    .setIssuer(ISSUER)
    .setAudience(INTERNAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(key(secret));
}

/**
 * Signs an internal token for a platform service calling a subgraph directly (never through the
 * gateway). Service tokens carry no user and no roles; fields meant for services check `service`.
 */
export function signServiceToken(secret: string, ttlSeconds: number, service: ServiceName) {
  return new SignJWT({ svc: service })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setAudience(INTERNAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(key(secret));
}

export const verifyInternalToken = (secret: string, token: string) =>
  verify(secret, token, INTERNAL_AUDIENCE);

/** A random, URL-safe secret (refresh tokens, charger passwords). */
export const randomSecret = (bytes = 32) => randomBytes(bytes).toString('base64url');

/** SHA-256 of a high-entropy secret: enough to store random tokens, never for user passwords. */
export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
