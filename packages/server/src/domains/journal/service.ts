import { randomUUID } from 'node:crypto';
import type { JsonStore } from '../../storage/json-store.js';
import type { StorageDriver } from '../../storage/driver.js';
import { isPreconditionFailed } from '../../storage/errors.js';
import { JOURNAL_PREFIX, journalKey, journalKeyTime, journalTimestamp } from '../../storage/keys.js';
import { journalEntrySchema, type Actor, type JournalEntry } from './documents.js';

/** Appends audit entries and reads recent ones. */
export class JournalService {
  constructor(
    private readonly driver: StorageDriver,
    private readonly store: JsonStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Writes one entry create-only; a key collision (same ms, same random id) is retried with a fresh id. */
  async append(input: { actor: Actor; action: string; resource: JournalEntry['resource']; before?: unknown; after?: unknown }): Promise<JournalEntry> {
    for (let attempt = 0; ; attempt++) {
      const time = this.now();
      const entry: JournalEntry = { schemaVersion: 1, id: randomUUID(), time: time.toISOString(), ...input };
      try {
        await this.store.create(journalKey(time, entry.id), entry);
        return entry;
      } catch (error) {
        if (!isPreconditionFailed(error) || attempt >= 3) throw error;
      }
    }
  }

  /** Entries written at or after `since`, oldest first (a bounded listing thanks to time-ordered keys). */
  async *since(since: Date): AsyncIterable<{ key: string; time: Date; entry: () => Promise<JournalEntry> }> {
    const startAfter = `${JOURNAL_PREFIX}${journalTimestamp(new Date(since.getTime() - 1))}~`;
    for await (const object of this.driver.list(JOURNAL_PREFIX, { startAfter })) {
      const time = journalKeyTime(object.key);
      if (!time) continue;
      yield { key: object.key, time, entry: async () => (await this.store.read(object.key, journalEntrySchema)).value };
    }
  }
}
