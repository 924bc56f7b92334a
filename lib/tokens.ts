import { createHash, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { SignJWT, decodeProtectedHeader, jwtVerify, errors as joseErrors } from 'jose';
import { ALL_ROLES, ANONYMOUS, type Role, type ServiceName, type Viewer } from './auth.js';
import type { SignerName, SigningKeys } from './signing.js';

const ACCESS_AUDIENCE = 'gridledger-api';
const INTERNAL_AUDIENCE = 'gridledger-subgraph';
const ISSUER = 'gridledger';

/** Header that carries the gateway's short-lived internal token to the subgraphs. */
export const INTERNAL_TOKEN_HEADER = 'x-gridledger-internal';
/** The caller's network address as the gateway saw it, forwarded to the subgraphs (login throttling). */
export const CLIENT_ADDRESS_HEADER = 'x-gridledger-client-address';
/** A meter's device key as its caller sent it to the gateway (`x-meter-key`), passed on as is. */
export const PUBLIC_DEVICE_KEY_HEADER = 'x-meter-key';
export const DEVICE_KEY_HEADER = 'x-gridledger-device-key';

export type TokenCheck =
  | { ok: true; viewer: Viewer; expiresAt: number; issuedAt: number; sid?: string }
  | { ok: false; reason: 'expired' | 'invalid' };

type Claims = { sub?: string; roles?: unknown; svc?: unknown; key?: unknown; scp?: unknown };

function toViewer(payload: Claims): Viewer | null {
  if (typeof payload.svc === 'string')
    return { userId: null, roles: [], via: 'service', service: payload.svc };
  const roles = Array.isArray(payload.roles) ? payload.roles : [];
  if (!roles.every((r) => ALL_ROLES.includes(r))) return null;
  if (!payload.sub) return ANONYMOUS;
  // Internal tokens of a caller that came with an API key say so (`key`, with its scopes `scp`).
  if (typeof payload.key === 'string') {
    const scopes = Array.isArray(payload.scp) ? payload.scp.filter((s) => typeof s === 'string') : [];
    return { userId: payload.sub, roles: roles as Role[], via: 'apikey', apiKeyId: payload.key, scopes };
  }
  return { userId: payload.sub, roles: roles as Role[], via: 'jwt' };
}

/**
 * Verifies a token signed with EdDSA by one of the platform's signers, with that signer's public key
 * (`kid` names it). `mayIssue` says whether that signer may issue a token with these claims: access
 * tokens come from the user subgraph only, caller tokens from the gateway only, a service token from
 * the service it names only.
 */
async function verify(
  keys: SigningKeys,
  token: string,
  audience: string,
  mayIssue: (signer: string, claims: Claims) => boolean,
): Promise<TokenCheck> {
  try {
    const { kid } = decodeProtectedHeader(token);
    const publicKey = kid ? keys.publicKey(kid) : undefined;
    if (!kid || !publicKey) return { ok: false, reason: 'invalid' };
    const { payload } = await jwtVerify(token, publicKey, {
      issuer: ISSUER,
      audience,
      algorithms: ['EdDSA'],
    });
    const viewer = toViewer(payload as Claims);
    if (
      !viewer ||
      !mayIssue(kid, payload as Claims) ||
      typeof payload.exp !== 'number' ||
      typeof payload.iat !== 'number'
    ) {
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

const header = (signer: SignerName) => ({ alg: 'EdDSA', kid: signer });

/**
 * Signs a user's access token (JWT, EdDSA with the user subgraph's key). `sid` names the login
 * (refresh-token family) it belongs to.
 */
export function signAccessToken(
  userSubgraphKey: KeyObject,
  ttlSeconds: number,
  userId: string,
  roles: Role[],
  sid: string,
) {
  return new SignJWT({ roles, sid, iat_ms: Date.now() })
    .setProtectedHeader({ ...header('user-subgraph'), typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(ISSUER)
    .setAudience(ACCESS_AUDIENCE)
    .setIssuedAt()
    .setJti(randomBytes(9).toString('base64url'))
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(userSubgraphKey);
}

export const verifyAccessToken = (keys: SigningKeys, token: string) =>
  verify(keys, token, ACCESS_AUDIENCE, (signer) => signer === 'user-subgraph');

/**
 * Signs the internal token the gateway forwards to subgraphs (EdDSA with the gateway's key). It is
 * short-lived and has its own audience, so a user's access token is never accepted by a subgraph.
 */
export function signInternalToken(gatewayKey: KeyObject, ttlSeconds: number, viewer: Viewer) {
  const claims =
    viewer.via === 'apikey' && viewer.apiKeyId
      ? { roles: viewer.roles, key: viewer.apiKeyId, scp: viewer.scopes ?? [] }
      : { roles: viewer.roles };
  const jwt = new SignJWT(claims).setProtectedHeader(header('gateway'));
  if (viewer.userId) jwt.setSubject(viewer.userId);
  return jwt
    .setIssuer(ISSUER)
    .setAudience(INTERNAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(gatewayKey);
}

/**
 * Signs an internal token for a platform service calling a subgraph directly (never through the
 * gateway), with that service's own key. Service tokens carry no user and no roles; fields meant for
 * services check `service`.
 */
export function signServiceToken(key: KeyObject, service: ServiceName, ttlSeconds: number) {
  return new SignJWT({ svc: service })
    .setProtectedHeader(header(service))
    .setIssuer(ISSUER)
    .setAudience(INTERNAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(key);
}

export const verifyInternalToken = (keys: SigningKeys, token: string) =>
  verify(keys, token, INTERNAL_AUDIENCE, (signer, claims) =>
    typeof claims.svc === 'string' ? claims.svc === signer : signer === 'gateway',
  );

/** A random, URL-safe secret (refresh tokens, charger passwords). */
export const randomSecret = (bytes = 32) => randomBytes(bytes).toString('base64url');

/** SHA-256 of a high-entropy secret: enough to store random tokens, never for user passwords. */
export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
