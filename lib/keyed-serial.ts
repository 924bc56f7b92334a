/**
 * Runs work for one key after the previous work for that key has settled (whatever its outcome), in
 * this process; different keys run side by side. The map holds a key only while work for it is queued.
 */
export class KeyedSerial {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const next = (this.tails.get(key) ?? Promise.resolve()).catch(() => {}).then(work);
    this.tails.set(key, next);
    void next.finally(() => this.tails.get(key) === next && this.tails.delete(key)).catch(() => {});
    return next;
  }
}
