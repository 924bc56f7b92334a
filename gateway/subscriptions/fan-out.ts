/** Fan-out: one event's result to every follower, and the iterator graphql-ws holds per subscription. */
import { type ExecutionResult } from 'graphql';

/** One event's result for every client that follows it: serialized once, framed once per subscription id. */
export class EventResult {
  private json: string | undefined;
  private readonly frames = new Map<string, Buffer>();

  constructor(
    readonly result: ExecutionResult,
    private readonly serialize: (result: ExecutionResult) => string,
  ) {}

  /** The graphql-ws `next` message for subscription `id`, ready to be written as a text frame. */
  frame(id: string): Buffer {
    let frame = this.frames.get(id);
    if (!frame) {
      this.json ??= this.serialize(this.result);
      frame = Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":${this.json}}`);
      if (this.frames.size < 64) this.frames.set(id, frame);
    }
    return frame;
  }
}

/** Where one client's subscription gets its events. */
/** The subgraph that serves a subscription stayed away through every resubscription. */
export class UpstreamUnavailable extends Error {}

export interface SubscriptionSink {
  /** The subscription id the client chose. */
  readonly id: string;
  next(event: EventResult): void;
  /** The subscription is over (the sink is not called again). */
  close(): void;
}

/**
 * What graphql-ws iterates for a subscription whose events go straight to its sink: it yields
 * nothing, and finishes when the subscription ends (with the error, if it ended with one). graphql-ws
 * calls `return()` when the client completes or goes away.
 */
export class Following implements AsyncIterableIterator<ExecutionResult> {
  private outcome: { error: unknown } | null = null;
  private waiting: {
    resolve: (r: IteratorResult<ExecutionResult>) => void;
    reject: (e: Error) => void;
  } | null = null;

  constructor(
    readonly sink: SubscriptionSink,
    private readonly onReturn: (following: Following) => void,
  ) {}

  end(error: unknown = null): void {
    if (this.outcome) return;
    this.outcome = { error };
    this.sink.close();
    this.onReturn(this);
    const waiting = this.waiting;
    this.waiting = null;
    if (waiting) this.next().then(waiting.resolve, waiting.reject);
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    if (!this.outcome) return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
    const { error } = this.outcome;
    this.outcome.error = null;
    if (error) return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    return Promise.resolve({ value: undefined, done: true });
  }

  return(): Promise<IteratorResult<ExecutionResult>> {
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
    this.end();
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}
