import type { JsonStore } from '../../storage/json-store.js';
import { isPreconditionFailed } from '../../storage/errors.js';
import { METADATA_CONFIG_KEY, STUF_CONFIG_KEY } from '../../storage/keys.js';
import { defaultMetadataConfig, defaultStufConfig, metadataConfigSchema, stufConfigSchema, type MetadataConfig, type StufConfig } from './documents.js';

/** Reads the facility configuration documents; creates them with defaults on first start. */
export class ConfigService {
  constructor(private readonly store: JsonStore) {}

  /**
   * Creates both config files when missing. Create-only writes, so replicas starting together never clobber each other
   * (the loser of the race simply keeps the winner's file).
   */
  async ensureDefaults(): Promise<{ created: string[] }> {
    const created: string[] = [];
    for (const [key, value] of [[STUF_CONFIG_KEY, defaultStufConfig()], [METADATA_CONFIG_KEY, defaultMetadataConfig()]] as const) {
      try {
        await this.store.create(key, value);
        created.push(key);
      } catch (error) {
        if (!isPreconditionFailed(error)) throw error;
      }
    }
    return { created };
  }

  /** The current `config/stuf_config.json`. */
  async stufConfig(): Promise<StufConfig> {
    return (await this.store.read(STUF_CONFIG_KEY, stufConfigSchema)).value;
  }

  /** The current `config/metadata_config.json`. */
  async metadataConfig(): Promise<MetadataConfig> {
    return (await this.store.read(METADATA_CONFIG_KEY, metadataConfigSchema)).value;
  }
}
