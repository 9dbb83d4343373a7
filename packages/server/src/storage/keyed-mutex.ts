/**
 * An in-process mutex per string key. The fs driver queues same-process writers to one key here first, so only
 * writers from *other* processes ever contend on the lock file (which has to poll).
 */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();

  /** Runs `fn` once every earlier holder of `key` in this process has finished. */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => current);
    this.#tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      // Forget the key once nobody queued behind us, so the map does not grow with every key ever written.
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
