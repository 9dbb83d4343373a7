import type { JsonStore } from '../../storage/json-store.js';
import { isPreconditionFailed } from '../../storage/errors.js';
import { configHistoryKey, configHistoryPrefix } from '../../storage/keys.js';
import type { Actor } from '../journal/documents.js';
import { configVersionSchema, type ConfigDocumentName, type ConfigVersion } from './documents.js';

/** Who published the versions nobody published through the API (first-start defaults, gaps after a crash). */
export const SYSTEM_ACTOR: Actor = { id: 'system', kind: 'system' };

/** Every published version of the config documents, under `config/history/<document>/`. */
export class ConfigHistory {
  constructor(private readonly store: JsonStore) {}

  /**
   * Keeps `config` as the version of its revision. Create-only: a revision is recorded once; recording it again
   * (another replica repairing the same gap, a retry) is a no-op, so this is safe to call from anywhere.
   */
  async record(document: ConfigDocumentName, config: { revision: number }, publishedBy: Actor, publishedAt = new Date()): Promise<void> {
    const version: ConfigVersion = {
      schemaVersion: 1,
      document,
      revision: config.revision,
      publishedAt: publishedAt.toISOString(),
      publishedBy,
      config: config as Record<string, unknown>,
    };
    try {
      await this.store.create(configHistoryKey(document, config.revision), version);
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
    }
  }

  /** Up to `first` versions of `document`, newest first (keys sort by revision, so only their bodies are read). */
  async list(document: ConfigDocumentName, first: number): Promise<ConfigVersion[]> {
    const keys: string[] = [];
    for await (const object of this.store.driver.list(configHistoryPrefix(document))) keys.push(object.key);
    const newest = keys.sort().reverse().slice(0, first);
    return Promise.all(newest.map(async (key) => (await this.store.read(key, configVersionSchema)).value));
  }
}
