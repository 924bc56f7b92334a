import type { IdTokenAuthorizer } from './ports.js';

type Answer = Awaited<ReturnType<IdTokenAuthorizer['authorize']>>;

/**
 * Remembers answers for a short while so that a burst of Authorize (or Authorize followed by the
 * transaction start) asks the owning service once. Concurrent questions about one token share a call.
 * A blocked card may therefore keep working for up to `ttlMs`.
 */
export class IdTokenCache implements IdTokenAuthorizer {
  private readonly answers = new Map<string, { answer: Promise<Answer>; until: number }>();

  constructor(
    private readonly inner: IdTokenAuthorizer,
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 100_000,
  ) {}

  authorize(idToken: string): Promise<Answer> {
    const key = idToken.trim().toUpperCase();
    const now = Date.now();
    const hit = this.answers.get(key);
    if (hit && hit.until > now) return hit.answer;
    const answer = this.inner.authorize(key);
    if (this.answers.size >= this.maxEntries) this.answers.clear();
    this.answers.set(key, { answer, until: now + this.ttlMs });
    // A failed question is not remembered.
    answer.catch(() => this.answers.delete(key));
    return answer;
  }
}
