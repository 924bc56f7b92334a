import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { pino, type Logger } from 'pino';

export type { Logger };

/** What every log line written while handling one request, job or charger message carries. */
export interface LogContext {
  /** The gateway request that caused the work (its `x-request-id`), across processes and jobs. */
  requestId?: string;
  /** The OCPP charger the work is for. */
  identity?: string;
  jobId?: string;
  queue?: string;
}

/** The current request, job or charger message; every logger of the process adds it to its lines. */
export const logContext = new AsyncLocalStorage<LogContext>();

/** Runs `work` with `context` (merged over the current one) on every log line it causes. */
export function withLogContext<T>(context: LogContext, work: () => T): T {
  return logContext.run({ ...logContext.getStore(), ...context }, work);
}

/** The request id of the work in progress, if it was caused by a request. */
export const currentRequestId = (): string | undefined => logContext.getStore()?.requestId;

/** The header that carries a request id: from the client (optional), to the subgraphs, in the response. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Request ids a client may choose: short, and nothing that could forge a log line. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The client's request id when it is a safe one, otherwise a new one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && SAFE_REQUEST_ID.test(header) ? header : randomUUID();
}

/** A structured JSON logger named after the process or component that owns it. */
export function createLogger(name: string, level: string = 'info'): Logger {
  return pino({
    name,
    level,
    base: { svc: name },
    mixin: () => logContext.getStore() ?? {},
    redact: {
      paths: ['password', '*.password', 'token', '*.token', 'authorization', '*.authorization'],
      remove: true,
    },
  });
}
