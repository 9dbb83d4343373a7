import type { Logger } from '../../logger.js';
import type { StorageDriver } from '../../storage/driver.js';
import type { JsonStore } from '../../storage/json-store.js';
import { DerivedCache, type DerivedCacheOptions } from '../../storage/derived-cache.js';
import { UPLOADS_CACHE_KEY, UPLOADS_PREFIX, uploadIdFromMetadataKey } from '../../storage/keys.js';
import type { JournalService } from '../journal/service.js';
import { uploadDocumentSchema, uploadsCacheSchema, type UploadDocument, type UploadsCache } from './documents.js';

export type UploadsCacheOptions = DerivedCacheOptions;

/**
 * `uploads.json`: a derived cache of every `uploads/<id>/metadata.json` (storage/derived-cache.ts), dropped after each
 * new upload and regenerated on the next read.
 */
export class UploadsCacheService {
  private readonly cache: DerivedCache<UploadDocument, UploadsCache>;

  constructor(
    driver: StorageDriver,
    store: JsonStore,
    journal: JournalService,
    logger: Logger,
    options: UploadsCacheOptions = {},
    now: () => Date = () => new Date(),
  ) {
    this.cache = new DerivedCache(
      driver,
      store,
      {
        key: UPLOADS_CACHE_KEY,
        schema: uploadsCacheSchema,
        prefix: UPLOADS_PREFIX,
        isItemKey: (key) => uploadIdFromMetadataKey(key) !== undefined,
        itemSchema: uploadDocumentSchema,
        build: (uploads) => ({ schemaVersion: 1, uploads: sortNewestFirst(uploads) }),
        items: (cache) => cache.uploads,
        missedWrites: (since, scanned) => uploadsCreatedSinceButMissing(journal, since, scanned),
      },
      logger,
      options,
      now,
    );
  }

  /** Every upload, newest first. */
  all(): Promise<UploadDocument[]> {
    return this.cache.all();
  }

  /** Drops the cache after a write so the next read regenerates it (seed: "deleted on write of new upload"). */
  invalidate(): Promise<void> {
    return this.cache.invalidate();
  }
}

/** Counts uploads journaled since `since` that the scan did not see. */
async function uploadsCreatedSinceButMissing(journal: JournalService, since: Date, scanned: UploadDocument[]): Promise<number> {
  const seen = new Set(scanned.map((upload) => upload.id));
  let missed = 0;
  for await (const item of journal.since(since)) {
    const entry = await item.entry();
    if (entry.resource.type === 'upload' && entry.action === 'upload.create' && !seen.has(entry.resource.id)) missed++;
  }
  return missed;
}

/** Newest first; ties broken by id so regeneration is deterministic. */
export function sortNewestFirst(uploads: UploadDocument[]): UploadDocument[] {
  return [...uploads].sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1));
}
