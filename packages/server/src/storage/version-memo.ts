import { LRUCache } from 'lru-cache';

/** One version of a document: its validated value and the ETag it was stored under. */
export interface DocumentVersion<T> {
  value: T;
  etag: string;
}

/**
 * The last version of recently used documents that this process read or wrote, so `JsonStore.update` can start with
 * the conditional write (one request) instead of a read and a write. It is only a starting guess: the write carries
 * `If-Match`, so a version another writer replaced fails with 412 and `update` re-reads — a stale entry costs one
 * request, never a lost change. Values are shared, so callers must treat them as immutable (`update` does).
 */
export class VersionMemo<T> {
  readonly #versions: LRUCache<string, DocumentVersion<T>>;

  /** Keeps at most `max` documents, least recently used dropped first. */
  constructor(max: number) {
    this.#versions = new LRUCache({ max });
  }

  get(key: string): DocumentVersion<T> | undefined {
    return this.#versions.get(key);
  }

  set(key: string, version: DocumentVersion<T>): void {
    this.#versions.set(key, version);
  }

  delete(key: string): void {
    this.#versions.delete(key);
  }
}
