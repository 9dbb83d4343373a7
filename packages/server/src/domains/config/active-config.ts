import type { z } from 'zod';
import type { Logger } from '../../logger.js';
import type { JsonStore } from '../../storage/json-store.js';
import { isCorruptDocument } from '../../storage/errors.js';
import { METADATA_CONFIG_KEY, STUF_CONFIG_KEY } from '../../storage/keys.js';
import { metadataConfigSchema, stufConfigSchema, type ConfigDocumentName, type MetadataConfig, type StufConfig } from './documents.js';
import { validateMetadataConfig, validateStufConfig } from './validate-config.js';

/** Both config documents as one value: a request reads one snapshot, so it never sees half of a reload. */
export interface ConfigSnapshot {
  readonly stuf: StufConfig;
  readonly metadata: MetadataConfig;
}

/** A config file that cannot be used: unparseable, not matching its schema, or breaking a cross-field rule. */
export class InvalidConfigFileError extends Error {
  override name = 'InvalidConfigFileError';
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`${key} is invalid: ${reason}. Fix the file, or put back a version from config/history/.`);
  }
}

interface DocumentSpec<T> {
  key: string;
  schema: z.ZodType<T>;
  rules: (value: T) => { path: (string | number)[]; message: string }[];
}

const SPECS: { stuf_config: DocumentSpec<StufConfig>; metadata_config: DocumentSpec<MetadataConfig> } = {
  stuf_config: { key: STUF_CONFIG_KEY, schema: stufConfigSchema, rules: validateStufConfig },
  metadata_config: { key: METADATA_CONFIG_KEY, schema: metadataConfigSchema, rules: validateMetadataConfig },
};

type ReadResult<T> = { notModified: true } | { notModified: false; etag: string; value: T } | { notModified: false; etag: string; error: string };

/**
 * The config this replica enforces. Loaded once at start; then every `refreshMs` both files are revalidated with a
 * conditional GET (a 304 costs no body), and a changed pair replaces the snapshot in one assignment. A file that does
 * not validate is logged once per version and ignored: the last good snapshot stays in force. Writes made through
 * this replica are applied at once (`applyOwnWrite`), without waiting for the next round.
 */
export class ActiveConfig {
  #snapshot: ConfigSnapshot | undefined;
  #loading: Promise<ConfigSnapshot> | undefined;
  /** The ETag of the last version looked at per file (good or rejected), so an unchanged broken file costs a 304. */
  readonly #seen: Record<ConfigDocumentName, string | undefined> = { stuf_config: undefined, metadata_config: undefined };
  /** Bumped by own writes: a refresh round that started before one must not replace its newer value. */
  readonly #generation: Record<ConfigDocumentName, number> = { stuf_config: 0, metadata_config: 0 };
  #timer: NodeJS.Timeout | undefined;
  #stopped = true;

  constructor(
    private readonly store: JsonStore,
    private readonly logger: Logger | undefined,
    private readonly refreshMs: number,
  ) {}

  /** The snapshot in force (loading it on first use). */
  current(): Promise<ConfigSnapshot> {
    if (this.#snapshot) return Promise.resolve(this.#snapshot);
    this.#loading ??= this.#load().finally(() => (this.#loading = undefined));
    return this.#loading;
  }

  /** Loads (if not yet) and revalidates every `refreshMs` until `stop()`. */
  async start(): Promise<ConfigSnapshot> {
    const snapshot = await this.current();
    if (this.#stopped) {
      this.#stopped = false;
      this.#schedule();
    }
    return snapshot;
  }

  /** Stops revalidating. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  /** One revalidation round; never throws (a store outage is logged and the current snapshot kept). */
  async refresh(): Promise<void> {
    if (!this.#snapshot) return void (await this.current().catch((error: unknown) => this.logger?.error({ err: error }, 'config not loaded yet')));
    const generation = { ...this.#generation };
    try {
      const [stuf, metadata] = await Promise.all([this.#check('stuf_config'), this.#check('metadata_config')]);
      // A version this replica wrote while the round ran is newer than what the round read: keep it.
      const useStuf = stuf && generation.stuf_config === this.#generation.stuf_config ? stuf : undefined;
      const useMetadata = metadata && generation.metadata_config === this.#generation.metadata_config ? metadata : undefined;
      if (useStuf) this.#seen.stuf_config = useStuf.etag;
      if (useMetadata) this.#seen.metadata_config = useMetadata.etag;
      const stufValue = useStuf && 'value' in useStuf ? useStuf.value : undefined;
      const metadataValue = useMetadata && 'value' in useMetadata ? useMetadata.value : undefined;
      if (!stufValue && !metadataValue) return;
      const current = this.#snapshot;
      this.#snapshot = { stuf: stufValue ?? current.stuf, metadata: metadataValue ?? current.metadata };
      this.logger?.info({ stufConfigRevision: this.#snapshot.stuf.revision, metadataConfigRevision: this.#snapshot.metadata.revision }, 'config reloaded');
    } catch (error) {
      this.logger?.warn({ err: error }, 'config revalidation failed; keeping the current config');
    }
  }

  /** Puts a version this replica just wrote in force (unless a newer one already is). */
  applyOwnWrite(document: 'stuf_config', value: StufConfig, etag: string): void;
  applyOwnWrite(document: 'metadata_config', value: MetadataConfig, etag: string): void;
  applyOwnWrite(document: ConfigDocumentName, value: StufConfig | MetadataConfig, etag: string): void {
    const current = this.#snapshot;
    this.#generation[document]++;
    if (!current) return; // not loaded yet: the first load reads it
    const field = document === 'stuf_config' ? 'stuf' : 'metadata';
    if (value.revision < current[field].revision) return;
    this.#seen[document] = etag;
    this.#snapshot = { ...current, [field]: value };
  }

  async #load(): Promise<ConfigSnapshot> {
    const load = async <T>(document: ConfigDocumentName, spec: DocumentSpec<T>): Promise<T> => {
      const result = await this.#read(spec, undefined);
      if (result.notModified) throw new Error(`unreachable: unconditional read of ${spec.key} answered not-modified`);
      if ('error' in result) throw new InvalidConfigFileError(spec.key, result.error);
      this.#seen[document] = result.etag;
      return result.value;
    };
    const [stuf, metadata] = await Promise.all([load('stuf_config', SPECS.stuf_config), load('metadata_config', SPECS.metadata_config)]);
    this.#snapshot = { stuf, metadata };
    return this.#snapshot;
  }

  /** What changed in a file since the last look: undefined, a new valid version, or an unusable one (logged). */
  async #check<D extends ConfigDocumentName>(document: D): Promise<{ etag: string; value: D extends 'stuf_config' ? StufConfig : MetadataConfig } | { etag: string; error: string } | undefined> {
    const spec = SPECS[document] as DocumentSpec<unknown>;
    const result = await this.#read(spec, this.#seen[document]);
    if (result.notModified) return undefined;
    if ('error' in result) {
      this.logger?.error({ key: spec.key, reason: result.error }, 'config file is invalid; keeping the last good version');
      return { etag: result.etag, error: result.error };
    }
    return { etag: result.etag, value: result.value as never };
  }

  /** A conditional read through the JsonStore; a corrupt version or one breaking a rule comes back as `error`, with its ETag. */
  async #read<T>(spec: DocumentSpec<T>, etag: string | undefined): Promise<ReadResult<T>> {
    let result;
    try {
      result = await this.store.readIfChanged(spec.key, spec.schema, etag);
    } catch (error) {
      // The store has already reported it (logged with its key); here it only must not replace the config in force.
      if (isCorruptDocument(error) && error.etag !== undefined) return { notModified: false, etag: error.etag, error: error.reason };
      throw error;
    }
    if (result.notModified) return { notModified: true };
    const broken = spec.rules(result.value);
    if (broken.length > 0) {
      return { notModified: false, etag: result.etag, error: broken.slice(0, 5).map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ') };
    }
    return { notModified: false, etag: result.etag, value: result.value };
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      void this.refresh().finally(() => {
        if (!this.#stopped) this.#schedule();
      });
    }, this.refreshMs);
    // Revalidation alone never keeps a process alive.
    this.#timer.unref();
  }
}
