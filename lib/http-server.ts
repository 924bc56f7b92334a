import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext, type ContextFunction } from '@apollo/server';
import { REQUEST_ID_HEADER, requestIdFrom, withLogContext, type Logger } from './logger.js';

/** The largest request body (HTTP) or message (graphql-ws) a GraphQL server takes. */
export const MAX_BODY_BYTES = 1_000_000;

export interface HttpServerOptions<C extends BaseContext> {
  apollo: ApolloServer<C>;
  context: ContextFunction<[{ req: http.IncomingMessage }], C>;
  logger: Logger;
  /** Answers `/ready`: true when every dependency the process needs is reachable. */
  ready: () => Promise<boolean>;
  /** More of the process's state for `/health` (counts for operators; nothing sensitive). */
  health?: () => Record<string, unknown>;
  /** Origins browsers may call from (CORS; default any). */
  corsOrigins?: string[];
  /** Answers routes besides GraphQL, health and readiness (`/metrics`); true when it answered. */
  routes?: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<boolean>;
  path?: string;
}

export interface RunningHttpServer {
  server: http.Server;
  url: string;
  port: number;
  close: () => Promise<void>;
}

/** Beyond this the connection is cut rather than the body read to its end for a 413 answer. */
const DRAIN_LIMIT_BYTES = 16 * MAX_BODY_BYTES;

/**
 * Reads a request body of at most MAX_BODY_BYTES. A larger one is read to its end but not kept, so
 * that the client gets its 413 answer instead of a reset connection (up to DRAIN_LIMIT_BYTES; a
 * client that sends more is cut off).
 */
function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const tooLarge = () => Object.assign(new Error('Request body too large'), { status: 413 });
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      else if (size > DRAIN_LIMIT_BYTES) {
        reject(tooLarge());
        req.destroy();
      }
    });
    req.on('end', () =>
      size > MAX_BODY_BYTES ? reject(tooLarge()) : resolve(Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * Serves an Apollo server on plain node:http with `GET /health` (process alive) and `GET /ready`
 * (dependencies reachable). Malformed bodies get a GraphQL-shaped 400, never a stack trace.
 *
 * Every request runs with a request id (the `x-request-id` it came with, when that is a safe one,
 * else a new one): it is in the response's `x-request-id` header and on every log line the request
 * causes (lib/logger.ts), and the gateway forwards it to the subgraphs.
 */
export async function listenGraphQL<C extends BaseContext>(
  opts: HttpServerOptions<C>,
  host: string,
  port: number,
): Promise<RunningHttpServer> {
  const path = opts.path ?? '/graphql';
  const server = http.createServer((req, res) => {
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    void withLogContext({ requestId }, () =>
      handle(req, res).catch((err: unknown) => {
        // handle() answers GraphQL failures itself; this is for the other routes (/metrics, say).
        opts.logger.error({ err, path: req.url }, 'HTTP request failed');
        if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error' }] });
        else res.end();
      }),
    );
  });
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const origins = opts.corsOrigins ?? ['*'];
    const origin = req.headers.origin;
    if (origins.includes('*')) res.setHeader('access-control-allow-origin', '*');
    else if (origin && origins.includes(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'origin');
    }
    res.setHeader(
      'access-control-allow-headers',
      'content-type, authorization, x-api-key, apollo-require-preflight, x-request-id',
    );
    res.setHeader('access-control-expose-headers', 'x-request-id, retry-after');
    if (req.method === 'OPTIONS') {
      res.writeHead(204).end();
      return;
    }
    if (opts.routes && (await opts.routes(req, res))) return;
    if (url.pathname === '/health')
      return sendJson(res, 200, { status: 'ok', pid: process.pid, ...opts.health?.() });
    if (url.pathname === '/ready') {
      const ok = await opts.ready().catch(() => false);
      return sendJson(res, ok ? 200 : 503, { status: ok ? 'ready' : 'unavailable' });
    }
    if (url.pathname !== path) return sendJson(res, 404, { errors: [{ message: 'Not found' }] });
    try {
      let body: unknown;
      if (req.method === 'POST') {
        const text = await readBody(req);
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          return sendJson(res, 400, {
            errors: [{ message: 'Request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }],
          });
        }
      }
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      const response = await opts.apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
        context: () => opts.context({ req }),
      });
      for (const [key, value] of response.headers) res.setHeader(key, value);
      res.statusCode = response.status ?? 200;
      if (response.body.kind === 'complete') {
        res.end(response.body.string);
        return;
      }
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    } catch (err) {
      const status = (err as { status?: number }).status ?? 500;
      if (status >= 500) opts.logger.error({ err }, 'HTTP request failed');
      if (!res.headersSent) {
        sendJson(
          res,
          status,
          status === 413
            ? {
                errors: [
                  {
                    message: `Request body larger than ${MAX_BODY_BYTES} bytes`,
                    extensions: { code: 'PAYLOAD_TOO_LARGE' },
                  },
                ],
              }
            : { errors: [{ message: 'Internal server error' }] },
        );
      } else res.end();
    }
  };
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    server,
    port: actual,
    url: `http://${host}:${actual}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
