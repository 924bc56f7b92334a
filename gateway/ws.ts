/**
 * graphql-ws on the gateway's own port and path. Clients authenticate in `connection_init` with the
 * same credentials as over HTTP (`{ authorization: "Bearer <access token>" }` or `{ apiKey }`);
 * queries and mutations run through the same Apollo pipeline as HTTP requests, subscriptions through
 * FederatedSubscriptions.
 *
 * Close codes: 4401 credentials refused, or the access token expired (reconnect with a fresh one);
 * 4403 never; graphql-ws's own codes otherwise. The server pings every 12 s and drops a client that
 * does not answer.
 *
 * Subscription events are written straight to the client's socket, each event serialized once for all
 * its followers (see FederatedSubscriptions), not through graphql-ws's per-client stringify. A client
 * that reads slowly loses intermediate events of a subscription (the latest are kept, up to
 * SUBSCRIPTION_CLIENT_BUFFER per subscription), never anyone else's.
 */
import type http from 'node:http';
import type { ApolloServer } from '@apollo/server';
import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLFormattedError,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocket, WebSocketServer } from 'ws';
import type { Viewer } from '../lib/auth.js';
import { clientGraphQLError, ErrorCode, formatError } from '../lib/errors.js';
import { MAX_BODY_BYTES } from '../lib/http-server.js';
import type { Logger } from '../lib/logger.js';
import type { GatewayAuthenticator, GatewayContext, SocketCredential } from './auth.js';
import { depthLimit } from './depth-limit.js';
import { anonymousSocketRefusal, scopeRefusal } from './scopes.js';
import { costLimit, mutationLimit } from './query-cost.js';
import type { EventResult, FederatedSubscriptions, SubscriptionSink } from './subscriptions/index.js';

/** What a connection established in `connection_init`. */
interface Connection {
  viewer: Viewer;
  /** For signed-in sockets: what to check again, before each operation and every REVALIDATE_MS. */
  credential?: SocketCredential;
  expiryTimer?: NodeJS.Timeout;
  revalidateTimer?: NodeJS.Timeout;
}

/**
 * How often an open socket's credentials are checked again (logout, a role change, a revoked key
 * close it with 4401 within this), and how old an API key's answer may be for that check.
 */
export const REVALIDATE_MS = 3000;

interface WsContext extends GatewayContext {
  source: string;
  subscriptionId: string;
  socket: WebSocket;
}

/** Bytes a socket may have waiting to be sent before a subscription's events wait in its backlog. */
const SOCKET_HIGH_WATER = 64 * 1024;
/** How often a backed-up subscription tries again to write its backlog. */
const BACKLOG_RETRY_MS = 25;
const TEXT_FRAME = { binary: false } as const;

/** Counts what a SocketSink delivers and drops (the gateway's metrics). */
export interface SinkCounters {
  delivered: () => void;
  dropped: () => void;
}

/**
 * Writes one subscription's events to its client's socket. While the socket has more than
 * SOCKET_HIGH_WATER bytes unsent, events wait in a backlog of `capacity` (the oldest are dropped,
 * the latest kept), written out as the client catches up.
 */
class SocketSink implements SubscriptionSink {
  private backlog: Buffer[] = [];
  private retry: NodeJS.Timeout | undefined;

  constructor(
    readonly id: string,
    private readonly socket: WebSocket,
    private readonly capacity: number,
    private readonly counters: SinkCounters,
  ) {}

  next(event: EventResult): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    const frame = event.frame(this.id);
    if (this.backlog.length === 0 && this.socket.bufferedAmount < SOCKET_HIGH_WATER) {
      this.socket.send(frame, TEXT_FRAME);
      this.counters.delivered();
      return;
    }
    if (this.backlog.length >= this.capacity) {
      this.backlog.shift();
      this.counters.dropped();
    }
    this.backlog.push(frame);
    this.retry ??= setInterval(() => this.flush(), BACKLOG_RETRY_MS);
  }

  private flush(): void {
    const open = this.socket.readyState === WebSocket.OPEN;
    while (open && this.backlog.length && this.socket.bufferedAmount < SOCKET_HIGH_WATER) {
      this.socket.send(this.backlog.shift()!, TEXT_FRAME);
      this.counters.delivered();
    }
    if (!open || this.backlog.length === 0) this.close();
  }

  close(): void {
    clearInterval(this.retry);
    this.retry = undefined;
    this.backlog = [];
  }
}

/** graphql-ws close code for refused, expired or revoked credentials. */
export const CLOSE_UNAUTHORIZED = 4401;
const REVOKED = 'Credentials revoked (logout, role change or revoked key): reconnect with fresh ones';

export function serveGraphQLWs(opts: {
  server: http.Server;
  path: string;
  apollo: ApolloServer<GatewayContext>;
  auth: GatewayAuthenticator;
  subscriptions: FederatedSubscriptions;
  /** Events a subscription may hold for a slow client; beyond it the oldest are dropped. */
  clientBuffer: number;
  maxQueryDepth: number;
  maxQueryCost: number;
  maxMutationFields: number;
  /** Lexical tokens a document may have (the parser stops beyond). */
  maxQueryTokens: number;
  /** Subscriptions (and operations in flight) one socket may hold at once. */
  maxOperationsPerConnection: number;
  logger: Logger;
  /** Counts delivered and dropped events, and errors by code. */
  counters: SinkCounters & { error: (code: string) => void };
}) {
  const { auth, subscriptions, logger } = opts;
  const format = formatError(logger, opts.counters.error);
  const schema = subscriptions.apiGraphQLSchema;
  const rules = [
    ...specifiedRules,
    depthLimit(opts.maxQueryDepth),
    costLimit(opts.maxQueryCost),
    mutationLimit(opts.maxMutationFields),
  ];
  const connections = new WeakMap<object, Connection>();
  const clientError = (message: string, code: string) => new GraphQLError(message, { extensions: { code } });
  const toFormatted = (e: GraphQLError | GraphQLFormattedError) =>
    e instanceof GraphQLError ? format(e.toJSON(), e) : e;

  // A message larger than an HTTP body may be closes the socket (1009) before it is parsed.
  const wss = new WebSocketServer({ server: opts.server, path: opts.path, maxPayload: MAX_BODY_BYTES });
  const cleanup = useServer<Record<string, unknown>>(
    {
      schema,
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const socket = ctx.extra.socket;
        try {
          const { viewer, expiresAt, credential } = await auth.authenticateSocket(
            typeof params.apiKey === 'string' ? params.apiKey : undefined,
            typeof params.authorization === 'string' ? params.authorization : undefined,
          );
          const connection: Connection = { viewer, credential };
          if (credential) {
            connection.revalidateTimer = setInterval(() => {
              void auth.stillValid(credential, REVALIDATE_MS).then((valid) => {
                if (valid === false) socket.close(CLOSE_UNAUTHORIZED, REVOKED);
              });
            }, REVALIDATE_MS);
          }
          if (expiresAt) {
            connection.expiryTimer = setTimeout(
              () => socket.close(CLOSE_UNAUTHORIZED, 'Access token expired: reconnect with a fresh one'),
              Math.max(0, expiresAt - Date.now()),
            );
          }
          connections.set(ctx, connection);
          return true;
        } catch (err) {
          const message = err instanceof GraphQLError ? err.message : 'Authentication failed';
          if (!(err instanceof GraphQLError)) logger.error({ err }, 'graphql-ws authentication failed');
          socket.close(CLOSE_UNAUTHORIZED, message);
          return false;
        }
      },
      onClose: (ctx) => {
        const connection = connections.get(ctx);
        clearTimeout(connection?.expiryTimer);
        clearInterval(connection?.revalidateTimer);
      },
      onSubscribe: async (ctx, id, payload) => {
        const connection = connections.get(ctx);
        if (!connection) return [clientError('Not connected', ErrorCode.UNAUTHENTICATED)];
        // Every operation checks the credentials again: a revoked login or key runs nothing more.
        if (connection.credential) {
          const valid = await auth.stillValid(connection.credential, REVALIDATE_MS);
          if (valid === false) {
            ctx.extra.socket.close(CLOSE_UNAUTHORIZED, REVOKED);
            return [clientError(REVOKED, ErrorCode.UNAUTHENTICATED)];
          }
          if (valid === null)
            return [
              clientError(
                'Credentials cannot be checked right now; retry shortly',
                ErrorCode.SERVICE_UNAVAILABLE,
              ),
            ];
        }
        // Operations in flight on this socket, this one included: subscriptions stay in it.
        if (Object.keys(ctx.subscriptions).length > opts.maxOperationsPerConnection) {
          return [
            clientError(
              `At most ${opts.maxOperationsPerConnection} operations at once per connection; complete some or open another`,
              ErrorCode.RATE_LIMITED,
            ),
          ];
        }
        let document: DocumentNode;
        try {
          document = parse(payload.query, { maxTokens: opts.maxQueryTokens });
        } catch (err) {
          return [clientError((err as Error).message, 'GRAPHQL_PARSE_FAILED')];
        }
        const errors = validate(schema, document, rules);
        if (errors.length) {
          return errors.map((e) => clientError(e.message, 'GRAPHQL_VALIDATION_FAILED'));
        }
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return [clientError('Unable to identify the operation', 'GRAPHQL_VALIDATION_FAILED')];
        if (connection.viewer.via === 'anonymous') {
          const refusal = anonymousSocketRefusal(schema, operation);
          if (refusal) return [clientError(refusal, ErrorCode.UNAUTHENTICATED)];
        }
        // API keys: every field must be covered by the key's scopes (gateway/scopes.ts).
        if (connection.viewer.via === 'apikey') {
          const refusal = scopeRefusal(schema, document, operation, connection.viewer.scopes ?? []);
          if (refusal) return [clientError(refusal.message, ErrorCode.FORBIDDEN)];
        }
        const coerced = getVariableValues(
          schema,
          operation.variableDefinitions ?? [],
          payload.variables ?? {},
        );
        if (coerced.errors)
          return coerced.errors.map((e) => clientError(e.message, ErrorCode.BAD_USER_INPUT));
        const { viewer } = connection;
        try {
          const clientAddress = auth.clientAddress(ctx.extra.request);
          await auth.rateLimit(viewer, clientAddress);
          const contextValue: WsContext = {
            viewer,
            internalToken: await auth.internalToken(viewer),
            clientAddress,
            source: payload.query,
            subscriptionId: id,
            socket: ctx.extra.socket,
          };
          return {
            schema,
            document,
            operationName: payload.operationName,
            variableValues: coerced.coerced,
            contextValue,
          };
        } catch (err) {
          return [clientGraphQLError(format, err)];
        }
      },
      // Queries and mutations: the same pipeline (planning, limits, error formatting) as over HTTP.
      execute: async (args) => {
        const contextValue = args.contextValue as WsContext;
        const response = await opts.apollo.executeOperation(
          {
            query: contextValue.source,
            operationName: args.operationName ?? undefined,
            variables: args.variableValues as Record<string, unknown>,
          },
          { contextValue },
        );
        if (response.body.kind !== 'single') {
          return { errors: [clientError('Incremental delivery is not supported here', 'BAD_REQUEST')] };
        }
        return response.body.singleResult as ExecutionResult;
      },
      subscribe: (args) => {
        const contextValue = args.contextValue as WsContext;
        return subscriptions.subscribe(
          {
            document: args.document,
            operationName: args.operationName,
            variables: (args.variableValues ?? {}) as Record<string, unknown>,
            viewer: contextValue.viewer,
          },
          contextValue.source,
          new SocketSink(contextValue.subscriptionId, contextValue.socket, opts.clientBuffer, opts.counters),
        );
      },
      // Every error frame passes the same formatter as HTTP answers (codes, no internals).
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => toFormatted(e)),
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors
          ? {
              ...result,
              errors: result.errors.map((e) => toFormatted(e as GraphQLError | GraphQLFormattedError)),
            }
          : undefined,
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
