import type { Logger } from './logger.js';

/**
 * A job run every `everyMs` in this process: passes never overlap (one asked for while another runs
 * waits for it), a failed pass is logged and the next one tries again, and `stop()` waits for the
 * pass in progress. Replicas of a process each run their own; the pass makes that safe (locks).
 */
export class Poller {
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly opts: {
      everyMs: number;
      pass: () => Promise<unknown>;
      logger: Logger;
      /** The warning a failed pass logs. */
      failure: string;
    },
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.opts.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One pass now (after the one in progress); resolves when it is over, failed or not. */
  tick(): Promise<void> {
    this.running = this.running
      .then(() => this.opts.pass())
      .then(
        () => {},
        (err: unknown) => this.opts.logger.warn({ err }, this.opts.failure),
      );
    return this.running;
  }
}
