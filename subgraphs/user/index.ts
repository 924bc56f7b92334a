import 'reflect-metadata';
import DataLoader from 'dataloader';
import { createMailer } from '../../lib/mail.js';
import { AccountService, VERIFIABLE_ACTIONS, type VerifiableAction } from './services/account.service.js';
import { AccountToken } from './entities/account-token.entity.js';
import { Vehicle } from './entities/vehicle.entity.js';
import { VehicleService } from './services/vehicle.service.js';
import { ConfigError, loadConfig, metricsPlacement, type Config } from '../../lib/config.js';
import { createOrm } from '../../lib/db.js';
import { runIfMain } from '../../lib/main.js';
import { createLogger } from '../../lib/logger.js';
import { Metrics } from '../../lib/metrics.js';
import { idTokenChangedChannel } from '../../lib/live-events.js';
import { createRedis } from '../../lib/redis.js';
import { RevocationList } from '../../lib/revocation.js';
import { startSubgraph } from '../../lib/subgraph.js';
import { ApiKey } from './entities/api-key.entity.js';
import { IdToken } from './entities/id-token.entity.js';
import { Wallet } from './entities/wallet.entity.js';
import { RefreshToken } from './entities/refresh-token.entity.js';
import { User } from './entities/user.entity.js';
import { migrations } from './migrations/index.js';
import { buildUserSchema } from './schema.js';
import { ApiKeyService } from './services/api-key.service.js';
import { AuthService } from './services/auth.service.js';
import { LoginThrottle } from './services/login-throttle.js';
import { IdTokenService } from './services/id-token.service.js';
import { UserService } from './services/user.service.js';
import { WalletService } from './services/wallet.service.js';
import type { UserContext } from './context.js';

export const USER_SCHEMA = 'identity';
export const userEntities = [User, RefreshToken, IdToken, Wallet, ApiKey, AccountToken, Vehicle];

/** Starts the user subgraph: migrations, the first admin, then the HTTP server. */
export async function startUserSubgraph(config: Config) {
  if (!config.admin.password)
    throw new ConfigError('Invalid configuration: GRIDLEDGER_ADMIN_PASSWORD must be set in production');
  const adminPassword = config.admin.password;
  if (config.env === 'production' && !config.mail.smtpUrl)
    throw new ConfigError('Invalid configuration: SMTP_URL must be set in production (account mail)');
  const unknownActions = config.verifiedEmailRequiredFor.filter(
    (a) => !VERIFIABLE_ACTIONS.includes(a as VerifiableAction),
  );
  if (unknownActions.length)
    throw new ConfigError(
      `Invalid configuration: VERIFIED_EMAIL_REQUIRED_FOR: ${unknownActions.join(', ')} (actions: ${VERIFIABLE_ACTIONS.join(', ')})`,
    );
  const accountSettings = {
    appUrl: config.mail.appUrl,
    verifiedEmailRequiredFor: config.verifiedEmailRequiredFor as VerifiableAction[],
  };
  const logger = createLogger('user-subgraph', config.logLevel);
  const orm = await createOrm({
    databaseUrl: config.databaseUrl,
    schema: USER_SCHEMA,
    entities: userEntities,
    migrations,
    logger,
  });
  // Request path: revocations and wallet challenges fail within 500 ms while Redis is away.
  const redis = createRedis(config.redisUrl, logger, {
    purpose: 'revocations and wallet challenges',
    requestPath: true,
  });
  const mailer = createMailer({ smtpUrl: config.mail.smtpUrl, from: config.mail.from, logger });
  const revocations = new RevocationList(redis, config.redisPrefix, config.accessTokenTtlSeconds);
  const throttle = new LoginThrottle(redis, config.redisPrefix, config.rateLimits.registrationsPerHour);
  const walletSettings = {
    domain: config.walletLinkDomain,
    chainId: config.chainId,
    redis,
    redisPrefix: config.redisPrefix,
  };
  const settings = {
    signingKey: config.signing.privateKey('user-subgraph'),
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
    refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
  };

  const em = orm.em.fork();
  const created = await new UserService(em).ensureAdmin(
    config.admin.email,
    adminPassword,
    new AuthService(em, settings, revocations, throttle),
    logger,
  );
  if (created && config.admin.passwordIsDevelopmentDefault) {
    logger.warn(
      { email: config.admin.email, developmentPassword: config.admin.password },
      'development admin created with the default password; set GRIDLEDGER_ADMIN_PASSWORD outside development',
    );
  }

  const { schema } = await buildUserSchema();
  const server = await startSubgraph<UserContext>({
    name: 'user',
    schema,
    orm,
    signing: config.signing,
    logger,
    host: config.host,
    port: config.ports.user,
    metrics: new Metrics('user'),
    metricsAt: metricsPlacement(config, 'user'),
    context: (base) => {
      const users = new UserService(base.em);
      const auth: AuthService = new AuthService(base.em, settings, revocations, throttle, {
        registered: (user): Promise<void> => account.sendVerification(user),
        loginsThrottled: (email, address) => account.notifyThrottledLogins(email, address),
      });
      const account: AccountService = new AccountService(
        base.em,
        auth,
        mailer,
        throttle,
        accountSettings,
        logger,
      );
      return {
        ...base,
        users,
        idTokens: new IdTokenService(base.em, base.viewer, (token) =>
          redis
            .publish(idTokenChangedChannel(config.redisPrefix), token)
            .catch((err) =>
              logger.warn({ err }, 'id token change not published; bridges see it within 60 s'),
            ),
        ),
        wallets: new WalletService(base.em, walletSettings),
        apiKeys: new ApiKeyService(base.em, base.viewer, {
          perMinute: config.rateLimits.apiKeyPerMinute,
          perHour: config.rateLimits.apiKeyPerHour,
        }),
        auth,
        account,
        vehicles: new VehicleService(base.em, base.viewer),
        userById: new DataLoader<string, User | null>(async (ids) => {
          const found = await base.em.find(User, { id: { $in: [...ids] } });
          const byId = new Map(found.map((u) => [u.id, u]));
          return ids.map((id) => byId.get(id) ?? null);
        }),
      };
    },
  });
  return {
    url: server.url,
    port: server.port,
    close: async () => {
      await server.close();
      await orm.close();
      redis.disconnect();
      mailer.close();
    },
  };
}

await runIfMain(import.meta.url, () => startUserSubgraph(loadConfig()));
