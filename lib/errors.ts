import type { z } from 'zod';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from './logger.js';
import { isRedisUnavailable } from './redis.js';

/** Stable error codes carried in GraphQL `extensions.code`. */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'RATE_LIMITED',
  CHARGER_OFFLINE: 'CHARGER_OFFLINE',
  CHARGER_TIMEOUT: 'CHARGER_TIMEOUT',
  CHARGER_REJECTED: 'CHARGER_REJECTED',
  /** A dependency (Redis) is unreachable: nothing was done that needed it; retry shortly. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** An error meant for the client: its message and code are safe to show. */
export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...extra } });
  }
}

export const unauthenticated = (message = 'Authentication required') =>
  new AppError(ErrorCode.UNAUTHENTICATED, message);
export const forbidden = (message = 'Not allowed') => new AppError(ErrorCode.FORBIDDEN, message);
export const notFound = (what: string, id: string) =>
  new AppError(ErrorCode.NOT_FOUND, `${what} ${id} not found`, { id });
export const badInput = (message: string, field?: string) =>
  new AppError(ErrorCode.BAD_USER_INPUT, message, field ? { field } : {});
export const conflict = (message: string) => new AppError(ErrorCode.CONFLICT, message);

/** The GraphQL error code an error carries (an AppError's, e.g. CHARGER_OFFLINE), if any. */
export const errorCodeOf = (err: unknown): string | undefined =>
  (err as { extensions?: { code?: string } } | null)?.extensions?.code;

/** `input` checked against `schema`; its first issue as BAD_USER_INPUT naming the field (dotted path). */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw badInput(issue.message, issue.path.map(String).join('.') || 'input');
}

/** Codes that GraphQL servers themselves produce for client mistakes; passed through unchanged. */
export const CLIENT_CODES: ReadonlySet<string> = new Set<string>([
  ...Object.values(ErrorCode).filter((c) => c !== ErrorCode.INTERNAL_SERVER_ERROR),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/**
 * Client mistakes that libraries report without a client code (Apollo Server's APQ check codes its
 * hash mismatch INTERNAL_SERVER_ERROR), by their message, with what the client is told.
 */
const CLIENT_MISTAKES: Record<string, string> = {
  'provided sha does not match query': 'extensions.persistedQuery.sha256Hash is not the SHA-256 of the query',
};

/** Names of type-graphql's own auth errors, mapped to our codes without importing it here. */
const NAMED_CODES: Record<string, ErrorCode> = {
  AuthenticationError: ErrorCode.UNAUTHENTICATED,
  AuthorizationError: ErrorCode.FORBIDDEN,
};

/**
 * The one place where errors become what a client sees: known codes pass, type-graphql's auth errors
 * get ours, an unreachable Redis becomes SERVICE_UNAVAILABLE, everything else a bare
 * INTERNAL_SERVER_ERROR (logged here, never shown). `onError` sees the code of every error sent
 * (the process's errors-by-code counter).
 */
export function formatError(logger: Logger, onError: (code: string) => void = () => {}) {
  const format = (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
    const originalName = original instanceof Error ? original.constructor.name : '';
    const named = NAMED_CODES[originalName];
    if (named) return { message: formatted.message, path: formatted.path, extensions: { code: named } };
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && CLIENT_CODES.has(code)) {
      // What a client may not see: stack traces, the subgraph that raised it, HTTP details (the
      // server has applied those already).
      const {
        stacktrace: _s,
        exception: _e,
        serviceName: _n,
        http: _h,
        ...extensions
      } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    const mistake = original instanceof Error ? CLIENT_MISTAKES[original.message] : undefined;
    if (mistake)
      return { message: mistake, path: formatted.path, extensions: { code: ErrorCode.BAD_USER_INPUT } };
    if (isRedisUnavailable(original)) {
      // The outage itself is logged once by the connection (lib/redis.ts), not once per request.
      return {
        message: 'A platform service is temporarily unavailable; retry shortly',
        path: formatted.path,
        extensions: { code: ErrorCode.SERVICE_UNAVAILABLE },
      };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error in GraphQL operation');
    return {
      message: 'Internal server error',
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const result = format(formatted, error);
    onError(String(result.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR));
    return result;
  };
}

/**
 * What a client may see of `err`, as a GraphQLError: for graphql-ws, whose `error` messages carry
 * GraphQLErrors rather than formatted ones. `format` is the process's `formatError(logger)`.
 */
export function clientGraphQLError(format: ReturnType<typeof formatError>, err: unknown): GraphQLError {
  const f = format(err instanceof GraphQLError ? err.toJSON() : { message: String(err) }, err);
  return new GraphQLError(f.message, { extensions: f.extensions });
}
