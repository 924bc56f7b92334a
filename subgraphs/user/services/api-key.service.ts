import { entityId } from '../../../lib/ids.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { hasRole, Role, type Viewer } from '../../../lib/auth.js';
import { badInput, forbidden, notFound } from '../../../lib/errors.js';
import { randomSecret, sha256 } from '../../../lib/tokens.js';
import { ApiKey, ApiKeyIdentity } from '../entities/api-key.entity.js';
import { User } from '../entities/user.entity.js';
import type { ApiKeyScope } from '../../../lib/scopes.js';

/** Keys are `glk_` + 32 random bytes: recognisable in logs and secret scanners, 256 bits of entropy. */
export const API_KEY_PREFIX = 'glk_';
export const MAX_KEYS_PER_USER = 20;

/** How often a key's `lastUsedAt` is written at most (the gateway also caches keys for 30 s). */
const LAST_USED_PRECISION_MS = 60_000;

export interface NewApiKey {
  name: string;
  scopes: ApiKeyScope[];
  expiresAt?: Date | null;
  rateLimitPerMinute?: number | null;
  rateLimitPerHour?: number | null;
}

export class ApiKeyService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
    /** The platform's per-key limits: an owner may set lower ones, only an admin higher. */
    private readonly defaults: { perMinute: number; perHour: number },
  ) {}

  async create(input: NewApiKey): Promise<{ apiKey: string; key: ApiKey }> {
    const trimmed = input.name.trim();
    if (!trimmed || trimmed.length > 100) throw badInput('name must be 1–100 characters', 'name');
    const scopes = [...new Set(input.scopes)];
    if (scopes.length === 0) throw badInput('A key needs at least one scope', 'scopes');
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now())
      throw badInput('expiresAt must be in the future', 'expiresAt');
    const admin = hasRole(this.viewer, Role.ADMIN);
    for (const [field, value, platform] of [
      ['rateLimitPerMinute', input.rateLimitPerMinute, this.defaults.perMinute],
      ['rateLimitPerHour', input.rateLimitPerHour, this.defaults.perHour],
    ] as const) {
      if (value === null || value === undefined) continue;
      if (!Number.isInteger(value) || value < 1) throw badInput(`${field} must be a positive integer`, field);
      if (value > platform && !admin)
        throw badInput(`${field} may be at most the platform's ${platform}; an admin may raise it`, field);
    }
    const owner = this.viewer.userId!;
    if ((await this.em.count(ApiKey, { owner, revokedAt: null })) >= MAX_KEYS_PER_USER) {
      throw badInput(`At most ${MAX_KEYS_PER_USER} active keys per account`, 'name');
    }
    const apiKey = `${API_KEY_PREFIX}${randomSecret(32)}`;
    const key = this.em.create(ApiKey, {
      name: trimmed,
      prefix: apiKey.slice(0, 10),
      keyHash: sha256(apiKey),
      owner: this.em.getReference(User, owner),
      scopes,
      expiresAt: input.expiresAt ?? null,
      rateLimitPerMinute: input.rateLimitPerMinute ?? null,
      rateLimitPerHour: input.rateLimitPerHour ?? null,
    });
    await this.em.flush();
    return { apiKey, key };
  }

  async revoke(id: string): Promise<ApiKey> {
    const key = await this.em.findOne(ApiKey, { id: entityId(id, 'API key') });
    if (!key) throw notFound('API key', id);
    if (key.owner.id !== this.viewer.userId && !hasRole(this.viewer, Role.ADMIN)) {
      throw forbidden('Only the key’s owner or an admin may revoke it');
    }
    key.revokedAt ??= new Date();
    await this.em.flush();
    return key;
  }

  ofUser(userId: string): Promise<ApiKey[]> {
    return this.em.find(ApiKey, { owner: userId }, { orderBy: { createdAt: 'asc' } });
  }

  /**
   * For the gateway: whom a presented key acts as and with what scopes and limits, or null (unknown,
   * revoked or expired). Records the use (at most once a minute per key).
   */
  async identify(apiKey: string): Promise<ApiKeyIdentity | null> {
    if (!apiKey.startsWith(API_KEY_PREFIX)) return null;
    const now = new Date();
    const key = await this.em.findOne(
      ApiKey,
      { keyHash: sha256(apiKey), revokedAt: null, $or: [{ expiresAt: null }, { expiresAt: { $gt: now } }] },
      { populate: ['owner'] },
    );
    if (!key) return null;
    if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() >= LAST_USED_PRECISION_MS)
      await this.em.nativeUpdate(ApiKey, { id: key.id }, { lastUsedAt: now });
    return {
      keyId: key.id,
      userId: key.owner.id,
      roles: key.owner.roles,
      scopes: key.scopes,
      expiresAt: key.expiresAt,
      rateLimitPerMinute: key.rateLimitPerMinute,
      rateLimitPerHour: key.rateLimitPerHour,
    };
  }
}
