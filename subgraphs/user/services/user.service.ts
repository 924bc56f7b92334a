import { entityId } from '../../../lib/ids.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ALL_ROLES, Role } from '../../../lib/auth.js';
import { badInput, notFound } from '../../../lib/errors.js';
import type { Logger } from '../../../lib/logger.js';
import { decodeCursor, pageSize, toConnection } from '../../../lib/pagination.js';
import { User } from '../entities/user.entity.js';
import type { AuthService } from './auth.service.js';

export class UserService {
  constructor(private readonly em: EntityManager) {}

  async get(id: string): Promise<User> {
    const user = await this.em.findOne(User, { id: entityId(id, 'User') });
    if (!user) throw notFound('User', id);
    return user;
  }

  /** Accounts ordered by creation, then id, as a cursor connection. */
  async list(first: number | undefined, after: string | undefined) {
    const limit = pageSize(first);
    const key = decodeCursor(after, 2) as [string, string] | null;
    const where = key
      ? {
          $or: [
            { createdAt: { $gt: new Date(key[0]) } },
            { createdAt: new Date(key[0]), id: { $gt: key[1] } },
          ],
        }
      : {};
    const rows = await this.em.find(User, where, {
      orderBy: { createdAt: 'asc', id: 'asc' },
      limit: limit + 1,
    });
    return toConnection(rows, limit, (u) => [u.createdAt.toISOString(), u.id]);
  }

  /** Replaces a user's roles; their current access tokens stop working so that new ones carry the new roles. */
  async setRoles(userId: string, roles: Role[], auth: AuthService): Promise<User> {
    if (roles.length === 0) throw badInput('A user needs at least one role', 'roles');
    if (!roles.every((r) => ALL_ROLES.includes(r))) throw badInput('Unknown role', 'roles');
    const user = await this.get(userId);
    // Revocation first: if Redis cannot record it (SERVICE_UNAVAILABLE), the roles stay as they were,
    // rather than changing while tokens carrying the old roles stay valid. And again after the write:
    // a refresh between the two got the old roles from the database.
    await auth.expireAccessTokens(user.id);
    user.roles = [...new Set(roles)];
    await this.em.flush();
    await auth.expireAccessTokens(user.id);
    return user;
  }

  /** Creates the first admin from configuration when no account has that email. */
  async ensureAdmin(email: string, password: string, auth: AuthService, logger: Logger): Promise<boolean> {
    const existing = await this.em.findOne(User, { email: email.toLowerCase() });
    if (existing) return false;
    const admin = await auth.createUser({ email, password, displayName: 'Administrator' }, [Role.ADMIN]);
    // The operator of the platform chose this address.
    admin.emailVerifiedAt = new Date();
    await this.em.flush();
    logger.info({ email }, 'created the initial admin account');
    return true;
  }
}
