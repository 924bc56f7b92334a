import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import { WebSocket } from 'ws';

/** A graphql-ws client of the gateway, authenticated like an HTTP client (or not at all). */
export function wsClient(gatewayUrl: string, connectionParams: Record<string, unknown> = {}) {
  const closes: { code: number; reason: string }[] = [];
  const client = createClient({
    url: gatewayUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
    on: { closed: (e) => closes.push(e as { code: number; reason: string }) },
  });
  return Object.assign(client, { closes });
}

/** What a subscription received so far: results, and how it ended. */
type ExecutionResult<T> = FormattedExecutionResult<T, unknown>;

export interface Followed<T> {
  results: ExecutionResult<T>[];
  error: unknown;
  completed: boolean;
  /** Resolves with the first result `match` accepts (fails after the timeout). */
  next: (match?: (r: ExecutionResult<T>) => boolean, timeoutMs?: number) => Promise<ExecutionResult<T>>;
  stop: () => void;
}

export function follow<T = Record<string, any>>(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): Followed<T> {
  const f: Followed<T> = {
    results: [],
    error: undefined,
    completed: false,
    next: async (match = () => true, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      let seen = 0;
      for (;;) {
        for (; seen < f.results.length; seen++) if (match(f.results[seen]!)) return f.results[seen]!;
        if (f.error || f.completed)
          throw new Error(`subscription ended: ${JSON.stringify(f.error ?? 'completed')}`);
        if (Date.now() > deadline) throw new Error(`no matching event within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    stop: () => {},
  };
  f.stop = client.subscribe<T>(
    { query, variables },
    {
      next: (r) => f.results.push(r),
      error: (e) => (f.error = e),
      complete: () => (f.completed = true),
    },
  );
  return f;
}

/** Runs a query or mutation over the WebSocket. */
export function wsRequest<T = Record<string, any>>(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<ExecutionResult<T>> {
  return new Promise((resolve, reject) => {
    let result: ExecutionResult<T>;
    client.subscribe<T>(
      { query, variables },
      { next: (r) => (result = r), error: reject, complete: () => resolve(result) },
    );
  });
}
