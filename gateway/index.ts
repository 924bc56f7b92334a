import 'reflect-metadata';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloGateway } from '@apollo/gateway';
import { loadConfig, metricsPlacement, type Config } from '../lib/config.js';
import { formatError } from '../lib/errors.js';
import { listenGraphQL } from '../lib/http-server.js';
import { runIfMain } from '../lib/main.js';
import { createLogger } from '../lib/logger.js';
import { Metrics, serveMetrics } from '../lib/metrics.js';
import { createRedis } from '../lib/redis.js';
import { RevocationList } from '../lib/revocation.js';
import { ServiceClient } from '../lib/service-client.js';
import { UserServiceClient } from '../lib/service-clients/user.js';
import { signServiceToken } from '../lib/tokens.js';
import { GatewayAuthenticator, type GatewayContext } from './auth.js';
import { InternalTokenDataSource } from './data-source.js';
import { depthLimit } from './depth-limit.js';
import { accessLog, gatewayMetrics } from './metrics.js';
import { costLimit, mutationLimit } from './query-cost.js';
import { requestChecks } from './request-checks.js';
import { apiKeyScopes, unlistedRootFields } from './scopes.js';
import { costBudget } from './cost-budget.js';
import { RateLimiter } from '../lib/rate-limit.js';
import { subgraphs } from './subgraphs.js';
import { serveDownloads } from './downloads.js';
import { serveConsole } from './console.js';
import { FederatedSubscriptions } from './subscriptions/index.js';
import { serveGraphQLWs } from './ws.js';

const SUPERGRAPH = fileURLToPath(new URL('../../gateway/supergraph.graphql', import.meta.url));

/** Starts the gateway over the composed supergraph: auth once, limits, then query planning. */
export async function startGateway(config: Config) {
  const logger = createLogger('gateway', config.logLevel);
  const metrics = new Metrics('gateway');
  const measured = gatewayMetrics(metrics);
  const metricsServer = await serveMetrics(metrics, metricsPlacement(config, 'gateway'), logger);
  // Request path: the revocation check and the rate limiter fail within 500 ms while Redis is away.
  const redis = createRedis(config.redisUrl, logger, {
    purpose: 'revocations and rate limits',
    requestPath: true,
  });
  const rateLimiter = new RateLimiter(redis, config.redisPrefix);
  const auth = new GatewayAuthenticator({
    signing: config.signing,
    internalTokenTtlSeconds: config.internalTokenTtlSeconds,
    revocations: new RevocationList(redis, config.redisPrefix, config.accessTokenTtlSeconds),
    users: new UserServiceClient(
      new ServiceClient({ url: config.subgraphUrls.user, keys: config.signing, service: 'gateway' }),
    ),
    rateLimiter,
    onRateLimited: measured.rateLimited,
    trustedProxies: config.trustedProxies,
    limits: {
      apiKey: [
        { max: config.rateLimits.apiKeyPerMinute, windowSeconds: 60 },
        { max: config.rateLimits.apiKeyPerHour, windowSeconds: 3600 },
      ],
      user: [{ max: config.rateLimits.userPerMinute, windowSeconds: 60 }],
      anonymous: [{ max: config.rateLimits.anonymousPerMinute, windowSeconds: 60 }],
      failedAuthPerMinute: config.rateLimits.failedAuthPerMinute,
    },
  });
  const urls = new Map(subgraphs.map((s) => [s.name, s.url(config)]));
  const supergraphSdl = await readFile(SUPERGRAPH, 'utf8');
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) => new InternalTokenDataSource({ url: urls.get(name) ?? url }),
    logger: {
      debug: () => {},
      info: () => {},
      warn: (m) => logger.warn(String(m)),
      error: (m) => logger.error(String(m)),
    },
  });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    includeStacktraceInErrorResponses: false,
    introspection: config.introspection,
    // The parser stops at the first token past the limit: a huge document costs no more than that.
    parseOptions: { maxTokens: config.maxQueryTokens },
    hideSchemaDetailsFromClientErrors: !config.introspection,
    formatError: formatError(logger, measured.graphql.onError),
    validationRules: [
      depthLimit(config.maxQueryDepth),
      costLimit(config.maxQueryCost),
      mutationLimit(config.maxMutationFields),
    ],
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      // Apollo's landing page loads from a CDN: the bundled GraphiQL (gateway/console.ts) replaces it.
      ApolloServerPluginLandingPageDisabled(),
      requestChecks(),
      apiKeyScopes(),
      costBudget({
        limiter: rateLimiter,
        perMinute: config.costBudgetPerMinute,
        maxCost: config.maxQueryCost,
      }),
      measured.graphql.plugin,
      accessLog(logger),
    ],
  });
  await apollo.start();
  const subscriptions = new FederatedSubscriptions({
    supergraphSdl,
    urls,
    dataSources: Object.fromEntries(
      [...urls].map(([name, url]) => [name, new InternalTokenDataSource({ url })]),
    ),
    internalToken: (viewer) => auth.internalToken(viewer),
    serviceToken: () =>
      signServiceToken(config.signing.privateKey('gateway'), 'gateway', config.internalTokenTtlSeconds),
    maxFetches: config.subscriptions.maxFetches,
    logger,
  });
  measured.watchSubscriptions(subscriptions);
  // Every root field says which scope an API key needs for it (or that no key may use it).
  const unlisted = unlistedRootFields(subscriptions.apiGraphQLSchema);
  if (unlisted.length) throw new Error(`gateway/scopes.ts lists no API-key scope for ${unlisted.join(', ')}`);
  const downloads = serveDownloads({
    redis,
    prefix: config.redisPrefix,
    urls,
    internalToken: (viewer) => auth.internalToken(viewer),
    logger,
  });
  const consoleFiles = serveConsole({ ide: config.graphqlIde, logger });
  const healthUrls = [...urls.values()].map((u) => new URL('/health', u).toString());
  const server = await listenGraphQL<GatewayContext>(
    {
      apollo,
      logger,
      context: ({ req }) => auth.context(req),
      corsOrigins: config.corsOrigins,
      routes: async (req, res) =>
        (await metricsServer.onMainServer(req, res)) ||
        (await downloads(req, res)) ||
        (await consoleFiles(req, res)),
      health: () => ({ subscriptions: subscriptions.counts() }),
      ready: async () => {
        if (redis.status !== 'ready') return false;
        const answers = await Promise.all(
          healthUrls.map((u) =>
            fetch(u, { signal: AbortSignal.timeout(1000) }).then(
              (r) => r.ok,
              () => false,
            ),
          ),
        );
        return answers.every(Boolean);
      },
    },
    config.host,
    config.ports.gateway,
  );
  const ws = serveGraphQLWs({
    clientBuffer: config.subscriptions.clientBuffer,
    server: server.server,
    path: '/graphql',
    apollo,
    auth,
    subscriptions,
    maxQueryDepth: config.maxQueryDepth,
    maxQueryCost: config.maxQueryCost,
    maxMutationFields: config.maxMutationFields,
    maxQueryTokens: config.maxQueryTokens,
    maxOperationsPerConnection: config.subscriptions.maxPerConnection,
    logger,
    counters: { ...measured.sink, error: measured.graphql.onError },
  });
  logger.info({ url: server.url }, 'gateway listening (HTTP and graphql-ws)');
  return {
    url: server.url,
    port: server.port,
    close: async () => {
      await ws.dispose();
      await subscriptions.close();
      await server.close();
      await apollo.stop();
      await metricsServer.close();
      redis.disconnect();
    },
  };
}

await runIfMain(import.meta.url, () => startGateway(loadConfig()));
