import type http from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema, printSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives, type IResolvers } from '@graphql-tools/utils';
import { parse, validate, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { buildSchema, createResolversMap, type AuthChecker, type BuildSchemaOptions } from 'type-graphql';
import type { EntityManager } from '@mikro-orm/postgresql';
import { hasRole, Role, type ServiceName, type Viewer } from './auth.js';
import { AppError, clientGraphQLError, ErrorCode, formatError, unauthenticated } from './errors.js';
import { graphqlMetrics } from './graphql-metrics.js';
import { listenGraphQL, type RunningHttpServer } from './http-server.js';
import type { Logger } from './logger.js';
import { serveMetrics, type Metrics, type MetricsPlacement } from './metrics.js';
import type { Orm } from './db.js';
import type { SigningKeys } from './signing.js';
import { DOWNLOAD_PATH_PREFIX, type DownloadRoute } from './downloads.js';
import {
  CLIENT_ADDRESS_HEADER,
  DEVICE_KEY_HEADER,
  INTERNAL_TOKEN_HEADER,
  verifyInternalToken,
} from './tokens.js';

/** What every subgraph resolver receives. */
export interface SubgraphContext {
  viewer: Viewer;
  /** A fresh identity map per request. */
  em: EntityManager;
  /** The caller's address as the gateway saw it (`service` for calls between platform services). */
  clientAddress: string;
  /** A device's key (an energy meter's), when the gateway passed one on; it authenticates the device only. */
  deviceKey: string | null;
}

const FEDERATION_LINK = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable", "@external", "@requires", "@inaccessible"])`;

/**
 * `@Authorized()` needs a signed-in caller; `@Authorized(roles)` needs one of the roles. ADMIN passes
 * every role check. Anonymous callers get UNAUTHENTICATED, signed-in callers without the role FORBIDDEN.
 */
export const authChecker: AuthChecker<SubgraphContext, Role> = ({ context }, roles) => {
  if (!context.viewer.userId) throw unauthenticated();
  if (roles.length === 0) return true;
  return hasRole(context.viewer, Role.ADMIN, ...roles);
};

export interface FederatedSchema {
  schema: GraphQLSchema;
  /** The subgraph SDL, as committed in `schema.graphql` and composed into the supergraph. */
  sdl: string;
}

/**
 * Subscriptions here bring their own `subscribe` (a LiveEventBus filter with its authorization
 * check); type-graphql's topic-based PubSub is not used, and using it would be a mistake.
 */
const NO_TOPICS = {
  publish: () => {
    throw new Error('type-graphql topics are not used: publish through LiveEventBus');
  },
  subscribe: () => {
    throw new Error('type-graphql topics are not used: give @Subscription a subscribe function');
  },
};

/** Builds a type-graphql schema and turns it into an Apollo federation 2 subgraph schema. */
export async function buildFederatedSchema(
  options: Omit<BuildSchemaOptions, 'skipCheck' | 'authChecker'>,
  referenceResolvers: IResolvers = {},
): Promise<FederatedSchema> {
  const base = await buildSchema({
    ...options,
    authChecker,
    skipCheck: true,
    validate: false,
    pubSub: NO_TOPICS,
  });
  const resolvers = createResolversMap(base) as IResolvers;
  for (const [typeName, extra] of Object.entries(referenceResolvers)) {
    resolvers[typeName] = { ...(resolvers[typeName] as object), ...(extra as object) };
  }
  const typeDefs = parse(`${FEDERATION_LINK}\n${printSchemaWithDirectives(base)}`);
  const schema = buildSubgraphSchema([{ typeDefs, resolvers: resolvers as never }]);
  return { schema, sdl: printSubgraphSchema(schema) };
}

/** Verifies internal tokens, remembering good ones until they expire (a token is reused for many requests). */
export class InternalTokenVerifier {
  private readonly cache = new Map<string, { viewer: Viewer; expiresAt: number }>();

  constructor(
    private readonly keys: SigningKeys,
    private readonly maxEntries = 10_000,
  ) {}

  async verify(header: string | string[] | undefined): Promise<Viewer> {
    if (typeof header !== 'string' || header.length === 0) {
      throw new AppError(ErrorCode.UNAUTHENTICATED, 'Requests must come through the GridLedger gateway', {
        http: { status: 401 },
      });
    }
    const cached = this.cache.get(header);
    if (cached && cached.expiresAt > Date.now()) return cached.viewer;
    const result = await verifyInternalToken(this.keys, header);
    if (!result.ok) {
      throw new AppError(ErrorCode.UNAUTHENTICATED, 'Invalid or expired internal token', {
        http: { status: 401 },
      });
    }
    if (this.cache.size >= this.maxEntries) this.cache.clear();
    this.cache.set(header, { viewer: result.viewer, expiresAt: result.expiresAt });
    return result.viewer;
  }
}

export interface StartSubgraphOptions<C extends SubgraphContext> {
  name: string;
  /** Adds the subgraph's own per-request services to the base context. */
  context: (base: SubgraphContext) => C;
  schema: GraphQLSchema;
  orm: Orm;
  /** Public keys that internal tokens are checked against (the gateway's, and each service's). */
  signing: SigningKeys;
  logger: Logger;
  host: string;
  port: number;
  /** Also serve graphql-ws on the GraphQL path, for the gateway's upstream subscriptions. */
  subscriptions?: boolean;
  /** The process's registry; `/metrics` goes where `metricsAt` says. */
  metrics: Metrics;
  metricsAt: MetricsPlacement;
  /** Files served for download tickets (lib/downloads.ts), under DOWNLOAD_PATH_PREFIX. */
  downloads?: DownloadRoute;
}

/** `gridledger_db_pool_connections{state}`: the ORM's Postgres pool (in use, idle, waiting for one). */
function watchPool(metrics: Metrics, orm: Orm) {
  const connection = orm.em.getConnection() as unknown as {
    getNativeClient(): Promise<{ totalCount: number; idleCount: number; waitingCount: number }>;
  };
  metrics.gauge({
    name: 'db_pool_connections',
    help: 'Postgres connections of the ORM pool, by state',
    labelNames: ['state'],
    async collect() {
      const pool = await connection.getNativeClient().catch(() => null);
      if (!pool) return;
      this.set({ state: 'in_use' }, pool.totalCount - pool.idleCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
    },
  });
}

/** Where the gateway puts the caller's internal token in graphql-ws messages (connection and subscribe). */
export const WS_INTERNAL_TOKEN = 'internalToken';

/** Serves a subgraph: every request must carry a valid internal token from the gateway. */
export async function startSubgraph<C extends SubgraphContext>(
  opts: StartSubgraphOptions<C>,
): Promise<RunningHttpServer> {
  const measured = graphqlMetrics(opts.metrics, 'resolver_errors_total');
  watchPool(opts.metrics, opts.orm);
  const metricsServer = await serveMetrics(opts.metrics, opts.metricsAt, opts.logger);
  const apollo = new ApolloServer<C>({
    schema: opts.schema,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    formatError: formatError(opts.logger, measured.onError),
    plugins: [ApolloServerPluginInlineTraceDisabled(), measured.plugin],
  });
  await apollo.start();
  const verifier = new InternalTokenVerifier(opts.signing);
  const running = await listenGraphQL<C>(
    {
      apollo,
      logger: opts.logger,
      context: async ({ req }: { req: http.IncomingMessage }) =>
        opts.context({
          viewer: await verifier.verify(req.headers[INTERNAL_TOKEN_HEADER]),
          em: opts.orm.em.fork() as EntityManager,
          clientAddress: String(req.headers[CLIENT_ADDRESS_HEADER] ?? 'service'),
          deviceKey:
            typeof req.headers[DEVICE_KEY_HEADER] === 'string' ? req.headers[DEVICE_KEY_HEADER] : null,
        }),
      ready: () => opts.orm.isConnected(),
      routes: async (req, res) => {
        if (await metricsServer.onMainServer(req, res)) return true;
        const url = new URL(req.url ?? '/', 'http://subgraph');
        if (!opts.downloads || req.method !== 'GET' || !url.pathname.startsWith(DOWNLOAD_PATH_PREFIX))
          return false;
        // The gateway's internal token for the ticket's viewer, checked as for any request.
        const viewer = await verifier.verify(req.headers[INTERNAL_TOKEN_HEADER]).catch(() => null);
        if (!viewer) {
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthenticated"}');
          return true;
        }
        return opts.downloads(req, res, { viewer, em: opts.orm.em.fork() as EntityManager, url });
      },
    },
    opts.host,
    opts.port,
  );
  const ws = opts.subscriptions ? serveSubscriptions(opts, running.server, verifier) : null;
  opts.logger.info({ url: running.url }, `${opts.name} subgraph listening`);
  return {
    ...running,
    close: async () => {
      await ws?.dispose();
      await running.close();
      await apollo.stop();
      await metricsServer.close();
    },
  };
}

/**
 * graphql-ws for the gateway: the connection must present a valid internal token, and each
 * subscription carries the internal token of the caller it runs for (in `extensions`), so that one
 * gateway connection serves many callers, each with their own permissions. A refused subscription gets
 * an error message; the connection, which other subscriptions share, lives on.
 */
function serveSubscriptions<C extends SubgraphContext>(
  opts: StartSubgraphOptions<C>,
  server: http.Server,
  verifier: InternalTokenVerifier,
) {
  const wss = new WebSocketServer({ server, path: '/graphql' });
  const format = formatError(opts.logger);
  const cleanup = useServer<Record<string, unknown>>(
    {
      schema: opts.schema,
      onConnect: async (ctx) => {
        try {
          await verifier.verify(ctx.connectionParams?.[WS_INTERNAL_TOKEN] as string | undefined);
          return true;
        } catch {
          return false;
        }
      },
      onSubscribe: async (_ctx, _id, payload) => {
        try {
          const viewer = await verifier.verify(payload.extensions?.[WS_INTERNAL_TOKEN] as string | undefined);
          const document = parse(payload.query);
          const errors = validate(opts.schema, document);
          if (errors.length) return errors;
          return {
            schema: opts.schema,
            document,
            operationName: payload.operationName,
            variableValues: payload.variables,
            contextValue: opts.context({
              viewer,
              em: opts.orm.em.fork() as EntityManager,
              clientAddress: 'gateway',
              deviceKey: null,
            }),
          };
        } catch (err) {
          return [clientGraphQLError(format, err)];
        }
      },
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((e) => format(e.toJSON(), e)) } : undefined,
    },
    wss,
  );
  return {
    dispose: async () => {
      await cleanup.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/**
 * For mutations that create or revoke credentials (API keys, id tokens, linked wallets, roles): a
 * person signed in with a password must do it, never an API key, so that a leaked key cannot mint
 * itself successors or outlive its own revocation.
 */
export function requirePerson(viewer: Viewer): void {
  if (viewer.via === 'apikey')
    throw new AppError(
      ErrorCode.FORBIDDEN,
      'API keys cannot create or revoke credentials: sign in to do this',
    );
}

/** For fields only platform services may use (they are also `@inaccessible` in the supergraph). */
export function requireService(viewer: Viewer, ...services: ServiceName[]): void {
  if (viewer.via !== 'service' || !services.includes(viewer.service as ServiceName)) {
    throw new AppError(ErrorCode.FORBIDDEN, 'Only platform services may use this field');
  }
}
