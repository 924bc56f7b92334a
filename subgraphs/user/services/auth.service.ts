import { isUniqueViolation } from '../../../lib/ids.js';
import { randomUUID, type KeyObject } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Role } from '../../../lib/auth.js';
import { badInput, conflict, unauthenticated } from '../../../lib/errors.js';
import type { LoginThrottle } from './login-throttle.js';
import type { RevocationList } from '../../../lib/revocation.js';
import { randomSecret, sha256, signAccessToken } from '../../../lib/tokens.js';
import { RefreshToken } from '../entities/refresh-token.entity.js';
import { User } from '../entities/user.entity.js';
import { dummyPasswordHash, hashPassword, verifyPassword } from './passwords.js';

const emailSchema = z.email().max(254);
const passwordSchema = z.string().min(10, 'Password must be at least 10 characters').max(256);
const displayNameSchema = z.string().trim().min(1, 'Display name is required').max(100);

function parse<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw badInput(result.error.issues[0]?.message ?? `Invalid ${field}`, field);
  return result.data;
}

export const normalizeEmail = (email: string) => parse(emailSchema, email.trim().toLowerCase(), 'email');
export const parsePassword = (password: string) => parse(passwordSchema, password, 'password');

export interface AuthSettings {
  /** The user subgraph's private key: it signs access tokens. */
  signingKey: KeyObject;
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
    private readonly throttle: LoginThrottle,
    /** Account mails: the verification mail of a new account, the notice of throttled logins. */
    private readonly notices: {
      registered: (user: User) => Promise<void>;
      loginsThrottled: (email: string, clientAddress: string) => Promise<void>;
    } = { registered: async () => {}, loginsThrottled: async () => {} },
  ) {}

  /** Creates an account. New accounts are DRIVERs; only an admin grants other roles. */
  async register(
    input: { email: string; password: string; displayName: string },
    clientAddress: string,
  ): Promise<IssuedTokens> {
    await this.throttle.registration(clientAddress);
    const user = await this.createUser(input, [Role.DRIVER]);
    // A mail that cannot go out now loses nothing: the account exists, and the owner can ask again.
    await this.notices.registered(user).catch(() => {});
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
      if (isUniqueViolation(err)) throw conflict('An account with this email already exists');
      throw err;
    }
    return user;
  }

  /**
   * Checks email and password, throttled per email and client address (LoginThrottle: growing waits,
   * never a lock that someone else can set off). The answer for an unknown email is the same (and as
   * slow) as for a wrong password, throttling included.
   */
  async login(emailInput: string, password: string, clientAddress: string): Promise<IssuedTokens> {
    const email = emailInput.trim().toLowerCase();
    let user: User | null = null;
    const ok = await this.throttle.attempt(
      email,
      clientAddress,
      async () => {
        user = await this.em.findOne(User, { email });
        return verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), password).then(
          (valid) => valid && user !== null,
        );
      },
      // The owner hears of it (if the account exists); the caller's answer is the same either way.
      () => void this.notices.loginsThrottled(email, clientAddress),
    );
    if (!ok || !user) throw unauthenticated('Invalid email or password');
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

  /** Ends every login of the user (password reset or change): refresh tokens and access tokens. */
  async endAllLogins(userId: string): Promise<void> {
    await this.revocations.revokeUserTokensBefore(userId);
    await this.em.nativeUpdate(RefreshToken, { user: userId, revokedAt: null }, { revokedAt: new Date() });
  }

  /** A new login for the user (after a password change ended the others). */
  startLogin(user: User): Promise<IssuedTokens> {
    return this.issue(user, randomUUID());
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
      this.settings.signingKey,
      this.settings.accessTokenTtlSeconds,
      user.id,
      user.roles,
      family,
    );
    return { accessToken, refreshToken, user };
  }
}
