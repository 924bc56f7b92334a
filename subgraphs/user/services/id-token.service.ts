import { isUniqueViolation, isUuid } from '../../../lib/ids.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { hasRole, Role, type Viewer } from '../../../lib/auth.js';
import { badInput, conflict, forbidden, notFound } from '../../../lib/errors.js';
import {
  IdToken,
  IdTokenAuthorization,
  IdTokenStatus,
  type UserIdTokenStatus,
} from '../entities/id-token.entity.js';
import { User } from '../entities/user.entity.js';

/** OCPP 1.6 idTag is at most 20 characters, 2.0.1 idToken at most 36; we accept the larger. */
const TOKEN = /^[A-Za-z0-9:._-]{4,36}$/;

export const normalizeIdToken = (token: string) => token.trim().toUpperCase();

export class IdTokenService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
    /** Tells every OCPP bridge that the token's status changed (they forget their cached answer). */
    private readonly changed: (token: string) => Promise<unknown> = async () => {},
  ) {}

  async add(token: string, expiresAt?: Date | null): Promise<IdToken> {
    const value = normalizeIdToken(token);
    if (!TOKEN.test(value))
      throw badInput('token must be 4–36 characters of A–Z, 0–9, ":", ".", "_" or "-"', 'token');
    if (expiresAt && expiresAt <= new Date()) throw badInput('expiresAt must be in the future', 'expiresAt');
    if (await this.em.count(IdToken, { token: value })) throw conflict('This token is already registered');
    const idToken = this.em.create(IdToken, {
      token: value,
      user: this.em.getReference(User, this.viewer.userId!),
      expiresAt: expiresAt ?? null,
    });
    try {
      await this.em.flush();
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict('This token is already registered');
      throw err;
    }
    return idToken;
  }

  /** Blocks a token: its owner (a lost card) or an admin. Blocking is permanent; register a new card. */
  async block(token: string): Promise<IdToken> {
    const found = await this.em.findOne(IdToken, { token: normalizeIdToken(token) });
    if (!found) throw notFound('Id token', token);
    if (found.user.id !== this.viewer.userId && !hasRole(this.viewer, Role.ADMIN)) {
      throw forbidden('Only the token’s owner or an admin may block it');
    }
    found.blocked = true;
    await this.em.flush();
    // Stored first: a bridge that asks again after the message reads the block. Without Redis the
    // block still holds, and bridges see it when their cached answer lapses (at most 60 s).
    await this.changed(found.token);
    return found;
  }

  ofUser(userId: string): Promise<IdToken[]> {
    return this.em.find(IdToken, { user: userId }, { orderBy: { createdAt: 'asc' } });
  }

  /** Every id token of these users (at most 1,000 users), with its status now: local authorization lists. */
  async ofUsers(userIds: string[]): Promise<UserIdTokenStatus[]> {
    const tokens = await this.em.find(
      IdToken,
      { user: { $in: userIds.filter(isUuid).slice(0, 1000) } },
      { orderBy: { token: 'asc' } },
    );
    const now = new Date();
    return tokens.map((t) => ({
      token: t.token,
      userId: t.user.id,
      status: t.statusAt(now),
      expiresAt: t.expiresAt,
    }));
  }

  /** The answer a charger gets when the token is presented. Unknown tokens are INVALID. */
  async authorize(token: string): Promise<IdTokenAuthorization> {
    const found = await this.em.findOne(IdToken, { token: normalizeIdToken(token) });
    if (!found) return { status: IdTokenStatus.INVALID, userId: null, expiresAt: null };
    return { status: found.statusAt(new Date()), userId: found.user.id, expiresAt: found.expiresAt };
  }
}
