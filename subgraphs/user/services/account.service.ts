import type { EntityManager } from '@mikro-orm/postgresql';
import { hasRole, Role, type Viewer } from '../../../lib/auth.js';
import { AppError, badInput, conflict, ErrorCode, unauthenticated } from '../../../lib/errors.js';
import { isUniqueViolation } from '../../../lib/ids.js';
import type { Logger } from '../../../lib/logger.js';
import type { Mail, Mailer } from '../../../lib/mail.js';
import { randomSecret, sha256 } from '../../../lib/tokens.js';
import { AccountToken, type AccountTokenPurpose } from '../entities/account-token.entity.js';
import { User } from '../entities/user.entity.js';
import { normalizeEmail, parsePassword, type AuthService, type IssuedTokens } from './auth.service.js';
import type { LoginThrottle } from './login-throttle.js';
import { hashPassword, verifyPassword } from './passwords.js';

/** Actions that can be made to need a verified email (VERIFIED_EMAIL_REQUIRED_FOR). */
export const VERIFIABLE_ACTIONS = ['linkWallet', 'createApiKey', 'placeOrder'] as const;
export type VerifiableAction = (typeof VERIFIABLE_ACTIONS)[number];

/** How long a mailed link works. */
const LIFETIME_MS: Record<AccountTokenPurpose, number> = {
  'verify-email': 24 * 3600_000,
  'change-email': 24 * 3600_000,
  'reset-password': 3600_000,
};
/** Password-reset mails per address and per account and hour (mail bombing, probing). */
const RESETS_PER_ADDRESS_HOUR = 10;
const RESETS_PER_ACCOUNT_HOUR = 3;
/** Verification mails an account may ask for again per hour. */
const VERIFICATIONS_PER_ACCOUNT_HOUR = 5;

export interface AccountSettings {
  /** Where mailed links point: the web console, which passes the token to the matching mutation. */
  appUrl: string;
  /** Actions that need a verified email. */
  verifiedEmailRequiredFor: readonly VerifiableAction[];
}

/**
 * Email verification, password reset, password change and email change, with single-use expiring
 * tokens (only their hashes are stored), mailed through the platform's Mailer.
 */
export class AccountService {
  constructor(
    private readonly em: EntityManager,
    private readonly auth: AuthService,
    private readonly mailer: Mailer,
    private readonly throttle: LoginThrottle,
    private readonly settings: AccountSettings,
    private readonly logger: Logger,
  ) {}

  /** Refuses `action` for an account without a verified email, when configured so. */
  async requireVerifiedEmail(viewer: Viewer, action: VerifiableAction): Promise<void> {
    if (!this.settings.verifiedEmailRequiredFor.includes(action) || !viewer.userId) return;
    if (hasRole(viewer, Role.ADMIN)) return;
    const user = await this.em.findOneOrFail(User, { id: viewer.userId });
    if (!user.emailVerifiedAt)
      throw new AppError(
        ErrorCode.FORBIDDEN,
        `Verify your email before you ${action}: see the mail we sent`,
        {
          reason: 'EMAIL_NOT_VERIFIED',
        },
      );
  }

  /** Mails a verification link to a new account (or on request, at most a few an hour). */
  async sendVerification(user: User, limited = false): Promise<void> {
    if (user.emailVerifiedAt) return;
    if (limited && !(await this.throttle.underHourlyLimit('verify', user.id, VERIFICATIONS_PER_ACCOUNT_HOUR)))
      throw new AppError(ErrorCode.RATE_LIMITED, 'Too many verification mails this hour; retry later', {
        retryAfterSeconds: 3600,
      });
    const token = await this.newToken(user, 'verify-email');
    await this.mail({
      to: user.email,
      subject: 'Verify your GridLedger email',
      text: `Confirm that this address is yours:\n\n${this.link('verify-email', token)}\n\nThe link works once, for 24 hours.`,
    });
  }

  /** Uses a verification or email-change token: the account's email is verified (and changed). */
  async verifyEmail(token: string): Promise<User> {
    const stored = await this.useToken(token, ['verify-email', 'change-email']);
    const user = stored.user;
    if (stored.purpose === 'change-email' && stored.newEmail) {
      if (await this.em.count(User, { email: stored.newEmail, id: { $ne: user.id } }))
        throw conflict('An account with this email already exists');
      const old = user.email;
      user.email = stored.newEmail;
      await this.mail({
        to: old,
        subject: 'Your GridLedger email was changed',
        text: `The email of your account is now ${stored.newEmail}. If you did not do this, reset your password at once.`,
      });
    }
    user.emailVerifiedAt = new Date();
    try {
      await this.em.flush();
    } catch (err) {
      // Someone else took the address between the check above and now.
      if (isUniqueViolation(err)) throw conflict('An account with this email already exists');
      throw err;
    }
    return user;
  }

  /**
   * Mails a reset link if the email has an account. Answers the same either way (true), so it tells
   * nobody which emails have accounts; limited per address (RATE_LIMITED) and, silently, per account.
   */
  async requestPasswordReset(emailInput: string, clientAddress: string): Promise<boolean> {
    const email = normalizeEmail(emailInput);
    if (!(await this.throttle.underHourlyLimit('reset-addr', clientAddress, RESETS_PER_ADDRESS_HOUR)))
      throw new AppError(ErrorCode.RATE_LIMITED, 'Too many password resets from this address; retry later', {
        retryAfterSeconds: 3600,
      });
    const user = await this.em.findOne(User, { email });
    if (!user || !(await this.throttle.underHourlyLimit('reset-user', user.id, RESETS_PER_ACCOUNT_HOUR)))
      return true;
    const token = await this.newToken(user, 'reset-password');
    await this.mail({
      to: user.email,
      subject: 'Reset your GridLedger password',
      text: `Someone (we hope you) asked to reset the password of this account. Choose a new one:\n\n${this.link('reset-password', token)}\n\nThe link works once, for one hour. If it was not you, ignore this mail.`,
    });
    return true;
  }

  /** Sets a new password with a reset token; every login of the account ends. */
  async resetPassword(token: string, newPassword: string): Promise<boolean> {
    const password = parsePassword(newPassword);
    const stored = await this.useToken(token, ['reset-password']);
    const user = stored.user;
    user.passwordHash = await hashPassword(password);
    // The mail reached its owner: the address is theirs.
    user.emailVerifiedAt ??= new Date();
    // Any other reset link mailed before is void now.
    await this.em.nativeUpdate(
      AccountToken,
      { user: user.id, purpose: 'reset-password', usedAt: null },
      { usedAt: new Date() },
    );
    await this.em.flush();
    await this.auth.endAllLogins(user.id);
    return true;
  }

  /** Changes the caller's password (the current one proves it is them); their other logins end. */
  async changePassword(viewer: Viewer, current: string, next: string): Promise<IssuedTokens> {
    const password = parsePassword(next);
    const user = await this.em.findOneOrFail(User, { id: viewer.userId! });
    if (!(await verifyPassword(user.passwordHash, current)))
      throw unauthenticated('Current password is wrong');
    user.passwordHash = await hashPassword(password);
    await this.em.flush();
    await this.auth.endAllLogins(user.id);
    await this.mail({
      to: user.email,
      subject: 'Your GridLedger password was changed',
      text: 'The password of your account was changed, and every other login ended. If you did not do this, reset your password at once.',
    });
    return this.auth.startLogin(user);
  }

  /** Mails a confirmation link to `newEmail`; the email changes when it is followed (verifyEmail). */
  async requestEmailChange(viewer: Viewer, newEmailInput: string, password: string): Promise<boolean> {
    const newEmail = normalizeEmail(newEmailInput);
    const user = await this.em.findOneOrFail(User, { id: viewer.userId! });
    if (!(await verifyPassword(user.passwordHash, password))) throw unauthenticated('Password is wrong');
    if (newEmail === user.email) throw badInput('That is the account’s email already', 'newEmail');
    if (await this.em.count(User, { email: newEmail }))
      throw conflict('An account with this email already exists');
    const token = await this.newToken(user, 'change-email', newEmail);
    await this.mail({
      to: newEmail,
      subject: 'Confirm your new GridLedger email',
      text: `Confirm that this address is to be your account's email:\n\n${this.link('verify-email', token)}\n\nThe link works once, for 24 hours.`,
    });
    return true;
  }

  /** Tells an account's owner that its logins are being throttled (someone is guessing). */
  async notifyThrottledLogins(email: string, clientAddress: string): Promise<void> {
    // Called without awaiting (the login's answer must not wait or differ): it must never reject.
    try {
      const user = await this.em.findOne(User, { email });
      if (!user) return;
      await this.mail({
        to: user.email,
        subject: 'Failed sign-ins to your GridLedger account',
        text: `Several sign-ins to your account failed from ${clientAddress}; further tries from there are slowed down. Your own sign-in is not affected. If it was not you, consider changing your password.`,
      });
    } catch (err) {
      this.logger.warn({ err }, 'could not tell an account owner of throttled logins');
    }
  }

  private link(page: string, token: string) {
    return `${this.settings.appUrl.replace(/\/$/, '')}/${page}?token=${encodeURIComponent(token)}`;
  }

  private async newToken(user: User, purpose: AccountTokenPurpose, newEmail: string | null = null) {
    const token = randomSecret(32);
    this.em.create(AccountToken, {
      user,
      purpose,
      newEmail,
      tokenHash: sha256(token),
      expiresAt: new Date(Date.now() + LIFETIME_MS[purpose]),
    });
    await this.em.flush();
    return token;
  }

  /** Marks a token used, atomically (two uses at once: one wins); BAD_USER_INPUT when it cannot be used. */
  private async useToken(token: string, purposes: AccountTokenPurpose[]): Promise<AccountToken> {
    const now = new Date();
    const claimed = await this.em.nativeUpdate(
      AccountToken,
      { tokenHash: sha256(token), purpose: { $in: purposes }, usedAt: null, expiresAt: { $gt: now } },
      { usedAt: now },
    );
    if (claimed !== 1) throw badInput('This link is invalid, expired or already used', 'token');
    return this.em.findOneOrFail(
      AccountToken,
      { tokenHash: sha256(token) },
      { populate: ['user'], refresh: true },
    );
  }

  /** Sends a mail; a mail that cannot be sent is logged and reported as SERVICE_UNAVAILABLE. */
  private async mail(mail: Mail): Promise<void> {
    try {
      await this.mailer.send(mail);
    } catch (err) {
      this.logger.error({ err, subject: mail.subject }, 'mail could not be sent');
      throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'Mail cannot be sent right now; retry shortly');
    }
  }
}
