import type { KeyObject } from 'node:crypto';
import type { ServiceName } from './auth.js';
import type { SigningKeys } from './signing.js';
import { currentRequestId, REQUEST_ID_HEADER } from './logger.js';
import { INTERNAL_TOKEN_HEADER, signServiceToken } from './tokens.js';

/** A subgraph answered with errors, or not at all. */
export class ServiceCallError extends Error {
  override name = 'ServiceCallError';
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/**
 * Calls a subgraph directly as a platform service (the OCPP bridge asking the station subgraph for
 * charger credentials, say). Service-only fields are `@inaccessible` in the supergraph, so they can
 * be reached this way only, and only with a service token.
 */
export class ServiceClient {
  private token: { value: string; renewAt: number } | null = null;
  private readonly key: KeyObject;

  constructor(
    private readonly opts: { url: string; keys: SigningKeys; service: ServiceName; timeoutMs?: number },
  ) {
    // The service signs its own tokens: without its private key it fails here, at start.
    this.key = opts.keys.privateKey(opts.service);
  }

  private async bearer(): Promise<string> {
    const now = Date.now();
    if (!this.token || this.token.renewAt <= now) {
      this.token = {
        value: await signServiceToken(this.key, this.opts.service, 120),
        renewAt: now + 60_000,
      };
    }
    return this.token.value;
  }

  async request<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const requestId = currentRequestId();
    const res = await fetch(this.opts.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [INTERNAL_TOKEN_HEADER]: await this.bearer(),
        // The request (or the job a request caused) that this call is part of, for the callee's logs.
        ...(requestId ? { [REQUEST_ID_HEADER]: requestId } : {}),
      },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5000),
    }).catch((err: Error) => {
      throw new ServiceCallError(`${this.opts.url} unreachable: ${err.message}`);
    });
    const body = (await res.json().catch(() => ({}))) as {
      data?: T;
      errors?: { message: string; extensions?: { code?: string } }[];
    };
    if (body.errors?.length || !body.data) {
      const first = body.errors?.[0];
      throw new ServiceCallError(first?.message ?? `HTTP ${res.status}`, first?.extensions?.code);
    }
    return body.data;
  }
}
