import pMap from 'p-map';
import type { z } from 'zod';
import type { Logger } from '../logger.js';
import { CacheRegeneratingError } from '../errors.js';
import type { StorageDriver } from './driver.js';
import { isNotFound, isPreconditionFailed } from './errors.js';
import type { JsonStore } from './json-store.js';

/** How far back the post-write check looks for writes by other replicas (covers clock skew too). */
export const CONCURRENCY_WINDOW_MS = 3_000;

export interface DerivedCacheOptions {
  /** Parallel per-item reads while regenerating. */
  readConcurrency?: number;
  /** Regeneration attempts before answering CACHE_REGENERATING. */
  maxAttempts?: number;
  baseDelayMs?: number;
}

/** What one cache (`uploads.json`, `users.json`) is derived from and how it is checked for concurrent writers. */
export interface DerivedCacheSpec<TItem, TDocument> {
  /** The cache's key, e.g. `uploads.json`. */
  key: string;
  schema: z.ZodType<TDocument>;
  /** Where the per-item files live, e.g. `uploads/`. */
  prefix: string;
  /** True for the listed keys that are per-item documents (others under the prefix are skipped). */
  isItemKey(key: string): boolean;
  itemSchema: z.ZodType<TItem>;
  /** Orders items and wraps them into the cache document; must be deterministic so rebuilds give the same bytes. */
  build(items: TItem[]): TDocument;
  items(document: TDocument): TItem[];
  /**
   * Counts writes committed (journaled) since `since` that `scanned` does not reflect. A scan that missed one must not
   * stay cached: it is withdrawn and the regeneration retried (the seed's "check the latest journal entry" rule).
   */
  missedWrites(since: Date, scanned: TItem[]): Promise<number>;
}

/**
 * A derived JSON cache of per-item documents (architecture §2, §4): read with a conditional GET (a parsed copy is kept
 * in memory per ETag), regenerated from the per-item files when missing, following the seed's protocol for concurrent
 * writers, and either dropped after a write (`invalidate`) or kept correct in place (`modify`).
 */
export class DerivedCache<TItem, TDocument> {
  private memo?: { etag: string; items: TItem[] };
  private regenerating?: Promise<TItem[]>;

  constructor(
    private readonly driver: StorageDriver,
    private readonly store: JsonStore,
    private readonly spec: DerivedCacheSpec<TItem, TDocument>,
    private readonly logger: Logger,
    private readonly options: DerivedCacheOptions = {},
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Every item, as ordered by `build`. The same array instance is returned while the stored cache is unchanged, so
   * callers may memoize views of it by identity.
   */
  async all(): Promise<TItem[]> {
    let current;
    try {
      current = await this.store.readIfChanged(this.spec.key, this.spec.schema, this.memo?.etag);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if (current?.notModified) return this.memo!.items;
    if (current) {
      this.memo = { etag: current.etag, items: this.spec.items(current.value) };
      return this.memo.items;
    }
    // One regeneration per process at a time; concurrent requests share it.
    this.regenerating ??= this.regenerate().finally(() => (this.regenerating = undefined));
    return await this.regenerating;
  }

  /** Drops the cache after a write so the next read regenerates it (seed: "deleted on write"). */
  async invalidate(): Promise<void> {
    this.memo = undefined;
    await this.driver.delete(this.spec.key);
  }

  /**
   * Keeps an existing cache correct after a write, through `update()` (so concurrent writers never lose each other's
   * change). `change` must be a pure function of the items. A missing cache is left missing (the next read rebuilds
   * it); if the cache cannot be updated it is dropped instead, so it is never left stale.
   */
  async modify(change: (items: TItem[]) => TItem[]): Promise<void> {
    try {
      const { value, etag } = await this.store.update(this.spec.key, this.spec.schema, (document) => this.spec.build(change(this.spec.items(document))));
      this.memo = { etag, items: this.spec.items(value) };
    } catch (error) {
      if (isNotFound(error)) return;
      this.logger.warn({ err: error, key: this.spec.key }, 'could not update cache in place; dropping it');
      await this.invalidate();
    }
  }

  private async regenerate(): Promise<TItem[]> {
    const maxAttempts = this.options.maxAttempts ?? 5;
    const baseDelayMs = this.options.baseDelayMs ?? 100;
    for (let attempt = 1; ; attempt++) {
      const scanStartedAt = this.now();
      const document = this.spec.build(await this.scan());
      const items = this.spec.items(document);
      let etag: string | undefined;
      try {
        etag = (await this.store.create(this.spec.key, document)).etag;
      } catch (error) {
        // Another reader regenerated it first; theirs is as good as ours unless a write slipped in (checked below).
        if (!isPreconditionFailed(error)) throw error;
      }
      const missed = await this.spec.missedWrites(new Date(scanStartedAt.getTime() - CONCURRENCY_WINDOW_MS), items);
      if (missed === 0) {
        if (etag) this.memo = { etag, items };
        this.logger.info({ key: this.spec.key, items: items.length, attempt }, 'regenerated cache');
        return items;
      }
      // A concurrent write finished during our scan: the cache we wrote may lack it. Withdraw it and retry.
      if (etag) {
        await this.driver.delete(this.spec.key, { ifMatch: etag }).catch((error) => {
          if (!isPreconditionFailed(error) && !isNotFound(error)) throw error;
        });
      }
      const delayMs = baseDelayMs * 2 ** (attempt - 1);
      if (attempt >= maxAttempts) throw new CacheRegeneratingError(this.spec.key, delayMs);
      this.logger.debug({ key: this.spec.key, missed, attempt, delayMs }, 'cache regeneration raced with writes; retrying');
      await new Promise((resolve) => setTimeout(resolve, delayMs * (0.5 + Math.random())));
    }
  }

  /** Reads every per-item document with bounded parallelism; items deleted while scanning are skipped. */
  private async scan(): Promise<TItem[]> {
    const keys: string[] = [];
    for await (const object of this.driver.list(this.spec.prefix)) {
      if (this.spec.isItemKey(object.key)) keys.push(object.key);
    }
    const items = await pMap(
      keys,
      async (key): Promise<{ item: TItem } | undefined> => {
        try {
          return { item: (await this.store.read(key, this.spec.itemSchema)).value };
        } catch (error) {
          if (isNotFound(error)) return undefined;
          throw error;
        }
      },
      { concurrency: this.options.readConcurrency ?? 16 },
    );
    return items.flatMap((found) => (found ? [found.item] : []));
  }
}
