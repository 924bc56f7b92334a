/** Bounds of federated subscriptions: buffered events, resubscription, concurrent fetches. */

/** Events of one shared subscription waiting for their entity fetches; beyond it the oldest go. */
export const PENDING_EVENTS = 16;
/** Upstream re-subscription after a lost connection: attempts, first delay and longest delay. */
export const RESUBSCRIBE = { attempts: 8, firstMs: 250, maxMs: 5000 };

/** A counting semaphore: subgraph fetches for subscription events are bounded across the gateway. */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly max: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await work();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}
