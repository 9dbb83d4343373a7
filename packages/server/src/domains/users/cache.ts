import type { Logger } from '../../logger.js';
import type { StorageDriver } from '../../storage/driver.js';
import type { JsonStore } from '../../storage/json-store.js';
import { DerivedCache, type DerivedCacheOptions } from '../../storage/derived-cache.js';
import { USERS_CACHE_KEY, USERS_PREFIX, userIdFromKey } from '../../storage/keys.js';
import type { JournalService } from '../journal/service.js';
import { recordOf, userDocumentSchema, userRecordSchema, usersCacheSchema, type UserRecord, type UsersCache } from './documents.js';

/**
 * `users.json`: a derived cache of every user's record (storage/derived-cache.ts — the same regeneration protocol as
 * `uploads.json`). Kept correct in place after each user write, so authentication never waits for a full rebuild;
 * deleting it loses nothing, the next read rebuilds it from `users/*.json`.
 */
export class UsersCacheService {
  private readonly cache: DerivedCache<UserRecord, UsersCache>;

  constructor(driver: StorageDriver, store: JsonStore, journal: JournalService, logger: Logger, options: DerivedCacheOptions = {}) {
    this.cache = new DerivedCache(
      driver,
      store,
      {
        key: USERS_CACHE_KEY,
        schema: usersCacheSchema,
        prefix: USERS_PREFIX,
        isItemKey: (key) => userIdFromKey(key) !== undefined,
        itemSchema: userDocumentSchema.transform(recordOf),
        build: (users) => ({ schemaVersion: 1, users: sortOldestFirst(users) }),
        items: (cache) => cache.users,
        missedWrites: (since, scanned) => userWritesMissing(journal, since, scanned),
      },
      logger,
      options,
    );
  }

  /** Every user record, oldest first; the same array while the cache is unchanged (views are memoized on it). */
  all(): Promise<UserRecord[]> {
    return this.cache.all();
  }

  /**
   * Puts a written record into the cache, unless the cache already holds a newer revision of it (`sameRevision`: or the
   * same one — for rewrites that are not edits, such as re-encryption).
   */
  put(record: UserRecord, options: { sameRevision?: boolean } = {}): Promise<void> {
    return this.cache.modify((users) => {
      const current = users.find((user) => user.id === record.id);
      if (current && (options.sameRevision ? current.revision > record.revision : current.revision >= record.revision)) return users;
      return [...users.filter((user) => user.id !== record.id), record];
    });
  }

  /** Puts many written records at once (one cache write for a whole import). */
  putMany(records: UserRecord[]): Promise<void> {
    const byId = new Map(records.map((record) => [record.id, record]));
    return this.cache.modify((users) => [...users.filter((user) => !byId.has(user.id)), ...byId.values()]);
  }

  /** Removes a deleted user from the cache. */
  remove(userId: string): Promise<void> {
    return this.cache.modify((users) => users.filter((user) => user.id !== userId));
  }

  /** Drops the cache (the next read rebuilds it). */
  invalidate(): Promise<void> {
    return this.cache.invalidate();
  }
}

/** Oldest first, ties by id: deterministic, so a rebuild from the same files gives the same bytes. */
function sortOldestFirst(users: UserRecord[]): UserRecord[] {
  return [...users].sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1));
}

/**
 * Counts users whose latest journaled write since `since` the scan does not reflect: deleted but scanned, or written
 * with a newer revision than scanned. Only each user's latest entry counts (the journal sorts by time), so a user
 * created and deleted within the window is not mistaken for a missed write.
 */
async function userWritesMissing(journal: JournalService, since: Date, scanned: UserRecord[]): Promise<number> {
  const latest = new Map<string, { deleted: true } | { deleted: false; revision: number }>();
  for await (const item of journal.since(since)) {
    const entry = await item.entry();
    if (entry.resource.type !== 'user') continue;
    if (entry.action === 'user.delete') {
      latest.set(entry.resource.id, { deleted: true });
      continue;
    }
    const after = userRecordSchema.safeParse(entry.after);
    if (after.success) latest.set(entry.resource.id, { deleted: false, revision: after.data.revision });
  }
  const byId = new Map(scanned.map((user) => [user.id, user]));
  let missed = 0;
  for (const [id, write] of latest) {
    const seen = byId.get(id);
    if (write.deleted ? seen !== undefined : !seen || seen.revision < write.revision) missed++;
  }
  return missed;
}
