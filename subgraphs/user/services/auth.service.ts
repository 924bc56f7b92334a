import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Role } from '../../../lib/auth.js';
import { AppError, badInput, conflict, ErrorCode, unauthenticated } from '../../../lib/errors.js';
import type { RevocationList } from '../../../lib/revocation.js';
import { randomSecret, sha256, signAccessToken } from '../../../lib/tokens.js';
import { RefreshToken } from '../entities/refresh-token.entity.js';
import { User } from '../entities/user.entity.js';
import { dummyPasswordHash, hashPassword, verifyPassword } from './passwords.js';

export const MAX_FAILED_LOGINS = 5;
export const LOCK_MINUTES = 15;

const emailSchema = z.email().max(254);
const passwordSchema = z.string().min(10, 'Password must be at least 10 characters').max(256);
const displayNameSchema = z.string().trim().min(1, 'Display name is required').max(100);

function parse<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw badInput(result.error.issues[0]?.message ?? `Invalid ${field}`, field);
  return result.data;
}

export const normalizeEmail = (email: string) => parse(emailSchema, email.trim().toLowerCase(), 'email');

export interface AuthSettings {
  jwtSecret: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  user: User;
}

/** Registration, login, refresh-token rotation and logout. */
export class AuthService {
  constructor(
    private readonly em: EntityManager,
    private readonly settings: AuthSettings,
    private readonly revocations: RevocationList,
  ) {}

  /** Creates an account. New accounts are DRIVERs; only an admin grants other roles. */
  async register(input: { email: string; password: string; displayName: string }): Promise<IssuedTokens> {
    const user = await this.createUser(input, [Role.DRIVER]);
    return this.issue(user, randomUUID());
  }

  async createUser(
    input: { email: string; password: string; displayName: string },
    roles: Role[],
  ): Promise<User> {
    const email = normalizeEmail(input.email);
    const password = parse(passwordSchema, input.password, 'password');
    const displayName = parse(displayNameSchema, input.displayName, 'displayName');
    if (await this.em.count(User, { email })) throw conflict('An account with this email already exists');
    const user = this.em.create(User, {
      email,
      displayName,
      passwordHash: await hashPassword(password),
      roles,
    });
    try {
      await this.em.flush();
    } catch (err) {
      if ((err as { code?: string }).code === '23505')
        throw conflict('An account with this email already exists');
      throw err;
    }
    return user;
  }

  /**
   * Checks email and password. After MAX_FAILED_LOGINS failures in a row the account is locked for
   * LOCK_MINUTES; the answer for an unknown email is the same (and as slow) as for a wrong password.
   */
  async login(emailInput: string, password: string): Promise<IssuedTokens> {
    const email = emailInput.trim().toLowerCase();
    const user = await this.em.findOne(User, { email });
    if (!user) {
      await verifyPassword(await dummyPasswordHash(), password);
      throw unauthenticated('Invalid email or password');
    }
    const now = new Date();
    if (user.lockedUntil && user.lockedUntil > now) {
      throw new AppError(
        ErrorCode.ACCOUNT_LOCKED,
        'Account is locked after repeated failed logins; try later',
        {
          lockedUntil: user.lockedUntil.toISOString(),
        },
      );
    }
    if (!(await verifyPassword(user.passwordHash, password))) {
      user.failedLogins += 1;
      if (user.failedLogins >= MAX_FAILED_LOGINS) {
        user.lockedUntil = new Date(now.getTime() + LOCK_MINUTES * 60_000);
        user.failedLogins = 0;
      }
      await this.em.flush();
      throw unauthenticated('Invalid email or password');
    }
    user.failedLogins = 0;
    user.lockedUntil = null;
    return this.issue(user, randomUUID());
  }

  /**
   * Rotates a refresh token. A token that was already used or revoked revokes its whole family: the
   * legitimate holder and the thief both have to log in again.
   */
  async refresh(token: string): Promise<IssuedTokens> {
    const stored = await this.em.findOne(RefreshToken, { tokenHash: sha256(token) }, { populate: ['user'] });
    if (!stored) throw unauthenticated('Invalid refresh token');
    if (stored.revokedAt || stored.replacedAt) {
      await this.revokeFamily(stored.family);
      throw unauthenticated('Refresh token has been revoked');
    }
    if (stored.expiresAt <= new Date()) throw unauthenticated('Refresh token has expired');
    stored.replacedAt = new Date();
    return this.issue(stored.user, stored.family);
  }

  /** Ends the login the refresh token belongs to, and the access tokens issued in it. */
  async logout(token: string): Promise<boolean> {
    const stored = await this.em.findOne(RefreshToken, { tokenHash: sha256(token) });
    if (!stored) return false;
    await this.revokeFamily(stored.family);
    return true;
  }

  /**
   * Invalidates the user's current access tokens (their roles changed). Their logins survive: the next
   * refresh issues a token with the roles now in the database.
   */
  async expireAccessTokens(userId: string): Promise<void> {
    await this.revocations.revokeUserTokensBefore(userId);
  }

  private async revokeFamily(family: string): Promise<void> {
    // The access tokens first: if Redis cannot record it, nothing is revoked and the caller is told so,
    // instead of a login whose refresh token is dead but whose access token lives on unnoticed.
    await this.revocations.revokeLogin(family);
    await this.em.nativeUpdate(RefreshToken, { family, revokedAt: null }, { revokedAt: new Date() });
  }

  private async issue(user: User, family: string): Promise<IssuedTokens> {
    const refreshToken = randomSecret(32);
    this.em.create(RefreshToken, {
      user,
      family,
      tokenHash: sha256(refreshToken),
      expiresAt: new Date(Date.now() + this.settings.refreshTokenTtlSeconds * 1000),
    });
    await this.em.flush();
    const accessToken = await signAccessToken(
      this.settings.jwtSecret,
      this.settings.accessTokenTtlSeconds,
      user.id,
      user.roles,
      family,
    );
    return { accessToken, refreshToken, user };
  }
}
