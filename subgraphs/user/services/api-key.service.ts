import type { EntityManager } from '@mikro-orm/postgresql';
import { hasRole, Role, type Viewer } from '../../../lib/auth.js';
import { badInput, forbidden, notFound } from '../../../lib/errors.js';
import { randomSecret, sha256 } from '../../../lib/tokens.js';
import { ApiKey, ApiKeyIdentity } from '../entities/api-key.entity.js';
import { User } from '../entities/user.entity.js';

/** Keys are `glk_` + 32 random bytes: recognisable in logs and secret scanners, 256 bits of entropy. */
export const API_KEY_PREFIX = 'glk_';
export const MAX_KEYS_PER_USER = 20;

export class ApiKeyService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
  ) {}

  async create(name: string): Promise<{ apiKey: string; key: ApiKey }> {
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 100) throw badInput('name must be 1–100 characters', 'name');
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
    });
    await this.em.flush();
    return { apiKey, key };
  }

  async revoke(id: string): Promise<ApiKey> {
    const key = /^[0-9a-f-]{36}$/i.test(id) ? await this.em.findOne(ApiKey, { id }) : null;
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

  /** For the gateway: whom a presented key acts as, or null (unknown or revoked). */
  async identify(apiKey: string): Promise<ApiKeyIdentity | null> {
    if (!apiKey.startsWith(API_KEY_PREFIX)) return null;
    const key = await this.em.findOne(
      ApiKey,
      { keyHash: sha256(apiKey), revokedAt: null },
      { populate: ['owner'] },
    );
    if (!key) return null;
    return { keyId: key.id, userId: key.owner.id, roles: key.owner.roles };
  }
}
