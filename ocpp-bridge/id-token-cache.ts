import type { IdTokenAuthorizer } from './ports.js';

type Answer = Awaited<ReturnType<IdTokenAuthorizer['authorize']>>;

/**
 * Remembers answers for a short while so that a burst of Authorize (or Authorize followed by the
 * transaction start) asks the owning service once. Concurrent questions about one token share a call.
 * An answer is forgotten at once when the token changes (`forget`, from the user subgraph's
 * `idTokenChangedChannel`: a blocked card stops working on every bridge), and an accepted one no later
 * than the token's expiry; `ttlMs` bounds the rest (a change whose message was lost).
 */
export class IdTokenCache implements IdTokenAuthorizer {
  private readonly answers = new Map<string, { answer: Promise<Answer>; until: number }>();

  constructor(
    private readonly inner: IdTokenAuthorizer,
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 100_000,
  ) {}

  authorize(idToken: string): Promise<Answer> {
    const key = normalize(idToken);
    const now = Date.now();
    const hit = this.answers.get(key);
    if (hit && hit.until > now) return hit.answer;
    const answer = this.inner.authorize(key);
    if (this.answers.size >= this.maxEntries) this.answers.clear();
    const entry = { answer, until: now + this.ttlMs };
    this.answers.set(key, entry);
    answer.then(
      (a) => {
        if (a.expiresAt) entry.until = Math.min(entry.until, a.expiresAt.getTime());
      },
      // A failed question is not remembered.
      () => {
        if (this.answers.get(key) === entry) this.answers.delete(key);
      },
    );
    return answer;
  }

  /** The token changed: the next question asks the owning service. */
  forget(idToken: string): void {
    this.answers.delete(normalize(idToken));
  }
}

const normalize = (idToken: string) => idToken.trim().toUpperCase();
