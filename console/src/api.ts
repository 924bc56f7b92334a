import { createClient, type Client } from 'graphql-ws';

/** A GraphQL error as the API types it (extensions.code), for the views to show. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

interface GraphQLResponse<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/**
 * The public API as the console uses it: queries and mutations over HTTP (`POST /graphql`) and
 * subscriptions over graphql-ws on the same path, both with the signed-in account's access token.
 */
export class Api {
  private ws: Client | null = null;

  constructor(readonly token: string | null) {}

  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const res = await fetch('/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    }).catch(() => {
      throw new ApiError('The platform cannot be reached', 'NETWORK');
    });
    const body = (await res.json().catch(() => ({}))) as GraphQLResponse<T>;
    const first = body.errors?.[0];
    if (first) throw new ApiError(first.message, first.extensions?.code ?? 'ERROR');
    if (!body.data) throw new ApiError(`The platform answered ${res.status}`, 'HTTP');
    return body.data;
  }

  /** Follows a subscription; returns the function that stops it. */
  subscribe<T>(
    query: string,
    variables: Record<string, unknown>,
    onData: (data: T) => void,
    onError: (e: ApiError) => void,
  ): () => void {
    this.ws ??= createClient({
      url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
      connectionParams: this.token ? { authorization: `Bearer ${this.token}` } : {},
      retryAttempts: Infinity,
      shouldRetry: () => true,
    });
    return this.ws.subscribe<T>(
      { query, variables },
      {
        next: (r) => {
          const first = r.errors?.[0];
          if (first) onError(new ApiError(first.message, String(first.extensions?.code ?? 'ERROR')));
          else if (r.data) onData(r.data as T);
        },
        error: (e) =>
          onError(new ApiError(e instanceof Error ? e.message : 'The live connection failed', 'LIVE')),
        complete: () => {},
      },
    );
  }

  close(): void {
    void this.ws?.dispose();
    this.ws = null;
  }
}
