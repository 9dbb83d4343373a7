import pMap from 'p-map';
import type { Logger } from '../../logger.js';
import type { StorageDriver } from '../../storage/driver.js';
import type { JsonStore } from '../../storage/json-store.js';
import { isNotFound, isPreconditionFailed } from '../../storage/errors.js';
import { UPLOADS_CACHE_KEY, UPLOADS_PREFIX, uploadIdFromMetadataKey } from '../../storage/keys.js';
import { CacheRegeneratingError } from '../../errors.js';
import type { JournalService } from '../journal/service.js';
import { uploadDocumentSchema, uploadsCacheSchema, type UploadDocument, type UploadsCache } from './documents.js';

/** How far back the post-write check looks for uploads created by other replicas (covers clock skew too). */
const CONCURRENCY_WINDOW_MS = 3_000;

export interface UploadsCacheOptions {
  /** Parallel `metadata.json` reads while regenerating. */
  readConcurrency?: number;
  /** Regeneration attempts before answering CACHE_REGENERATING. */
  maxAttempts?: number;
  baseDelayMs?: number;
}

/**
 * `uploads.json`: read with a conditional GET (a parsed copy is kept in memory per ETag), regenerated from the
 * per-item files when missing, following the seed's protocol for concurrent writers (architecture §4).
 */
export class UploadsCacheService {
  private memo?: { etag: string; uploads: UploadDocument[] };
  private regenerating?: Promise<UploadDocument[]>;

  constructor(
    private readonly driver: StorageDriver,
    private readonly store: JsonStore,
    private readonly journal: JournalService,
    private readonly logger: Logger,
    private readonly options: UploadsCacheOptions = {},
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Every upload, newest first. */
  async all(): Promise<UploadDocument[]> {
    let current;
    try {
      current = await this.store.readIfChanged(UPLOADS_CACHE_KEY, uploadsCacheSchema, this.memo?.etag);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if (current?.notModified) return this.memo!.uploads;
    if (current) {
      this.memo = { etag: current.etag, uploads: current.value.uploads };
      return current.value.uploads;
    }
    // One regeneration per process at a time; concurrent requests share it.
    this.regenerating ??= this.regenerate().finally(() => (this.regenerating = undefined));
    return await this.regenerating;
  }

  /** Drops the cache after a write so the next read regenerates it (seed: "deleted on write of new upload"). */
  async invalidate(): Promise<void> {
    this.memo = undefined;
    await this.driver.delete(UPLOADS_CACHE_KEY);
  }

  private async regenerate(): Promise<UploadDocument[]> {
    const maxAttempts = this.options.maxAttempts ?? 5;
    const baseDelayMs = this.options.baseDelayMs ?? 100;
    for (let attempt = 1; ; attempt++) {
      const scanStartedAt = this.now();
      const uploads = await this.scan();
      const cache: UploadsCache = { schemaVersion: 1, uploads };
      let etag: string | undefined;
      try {
        etag = (await this.store.create(UPLOADS_CACHE_KEY, cache)).etag;
      } catch (error) {
        // Another reader regenerated it first; theirs is as good as ours unless a write slipped in (checked below).
        if (!isPreconditionFailed(error)) throw error;
      }
      const missed = await this.uploadsCreatedSinceButMissing(new Date(scanStartedAt.getTime() - CONCURRENCY_WINDOW_MS), uploads);
      if (missed === 0) {
        if (etag) this.memo = { etag, uploads };
        this.logger.info({ uploads: uploads.length, attempt }, 'regenerated uploads.json');
        return uploads;
      }
      // A concurrent upload finished during our scan: the cache we wrote may lack it. Withdraw it and retry.
      if (etag) await this.driver.delete(UPLOADS_CACHE_KEY, { ifMatch: etag }).catch((error) => {
        if (!isPreconditionFailed(error) && !isNotFound(error)) throw error;
      });
      const delayMs = baseDelayMs * 2 ** (attempt - 1);
      if (attempt >= maxAttempts) throw new CacheRegeneratingError(UPLOADS_CACHE_KEY, delayMs);
      this.logger.debug({ missed, attempt, delayMs }, 'uploads.json regeneration raced with uploads; retrying');
      await new Promise((resolve) => setTimeout(resolve, delayMs * (0.5 + Math.random())));
    }
  }

  /** Reads every `uploads/<id>/metadata.json` with bounded parallelism, newest first. Orphan data (no metadata) is skipped. */
  private async scan(): Promise<UploadDocument[]> {
    const keys: string[] = [];
    for await (const object of this.driver.list(UPLOADS_PREFIX)) {
      if (uploadIdFromMetadataKey(object.key)) keys.push(object.key);
    }
    const documents = await pMap(
      keys,
      async (key) => {
        try {
          return (await this.store.read(key, uploadDocumentSchema)).value;
        } catch (error) {
          if (isNotFound(error)) return undefined; // deleted while we scanned
          throw error;
        }
      },
      { concurrency: this.options.readConcurrency ?? 16 },
    );
    return sortNewestFirst(documents.filter((document): document is UploadDocument => document !== undefined));
  }

  /** Counts uploads journaled since `since` that the scan did not see. */
  private async uploadsCreatedSinceButMissing(since: Date, scanned: UploadDocument[]): Promise<number> {
    const seen = new Set(scanned.map((upload) => upload.id));
    let missed = 0;
    for await (const item of this.journal.since(since)) {
      const entry = await item.entry();
      if (entry.resource.type === 'upload' && entry.action === 'upload.create' && !seen.has(entry.resource.id)) missed++;
    }
    return missed;
  }
}

/** Newest first; ties broken by id so regeneration is deterministic. */
export function sortNewestFirst(uploads: UploadDocument[]): UploadDocument[] {
  return [...uploads].sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1));
}
