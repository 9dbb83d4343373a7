import type { z } from 'zod';
import type { Keyring } from '../../crypto/keyring.js';
import { RevisionConflictError, ValidationError, type ValidationIssue } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { JsonStore } from '../../storage/json-store.js';
import { isPreconditionFailed } from '../../storage/errors.js';
import { METADATA_CONFIG_KEY, STUF_CONFIG_KEY } from '../../storage/keys.js';
import type { Actor } from '../journal/documents.js';
import type { JournalService } from '../journal/service.js';
import { ActiveConfig, type ConfigSnapshot } from './active-config.js';
import {
  defaultMetadataConfig,
  defaultStufConfig,
  metadataConfigInputSchema,
  metadataConfigSchema,
  stufConfigInputSchema,
  stufConfigSchema,
  type ConfigDocumentName,
  type ConfigVersion,
  type MetadataConfig,
  type StufConfig,
} from './documents.js';
import { ConfigHistory, SYSTEM_ACTOR } from './history.js';
import { applyStufConfigInput, reencryptStufConfigSecrets } from './secrets.js';
import { validateMetadataConfig, validateStufConfig } from './validate-config.js';

export interface ConfigServiceOptions {
  logger?: Logger;
  /** Needed to record who changed what; without it (unit tests of reading) updates are refused. */
  journal?: JournalService;
  /** Encrypts notification secrets (the STUF_ENCRYPTION_KEYS keyring); without it they cannot be set. */
  secrets?: Keyring;
  /** Revalidation interval (STUF_CONFIG_REFRESH_MS). */
  refreshMs?: number;
}

/**
 * The facility configuration: creates the documents on first start, keeps the version in force (`ActiveConfig`),
 * publishes admin changes (revision check → write → history → journal) and answers from the active snapshot.
 */
export class ConfigService {
  readonly #active: ActiveConfig;
  readonly #history: ConfigHistory;

  constructor(
    private readonly store: JsonStore,
    private readonly options: ConfigServiceOptions = {},
  ) {
    this.#active = new ActiveConfig(store, options.logger, options.refreshMs ?? 5_000);
    this.#history = new ConfigHistory(store);
  }

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

  /**
   * Loads the config (a broken file here stops the start: there is no last good version yet), makes sure the versions
   * in force are in `config/history/` (first-start defaults, or a gap left by a crash), and starts revalidating.
   */
  async start(): Promise<ConfigSnapshot> {
    const snapshot = await this.#active.start();
    await Promise.all([
      this.#history.record('stuf_config', snapshot.stuf, SYSTEM_ACTOR),
      this.#history.record('metadata_config', snapshot.metadata, SYSTEM_ACTOR),
    ]);
    return snapshot;
  }

  /** Stops revalidating (shutdown). */
  stop(): void {
    this.#active.stop();
  }

  /** Revalidates both files now (what the timer does every STUF_CONFIG_REFRESH_MS). */
  refresh(): Promise<void> {
    return this.#active.refresh();
  }

  /** Both documents as one consistent snapshot: use one per request. */
  snapshot(): Promise<ConfigSnapshot> {
    return this.#active.current();
  }

  /** The `config/stuf_config.json` in force (secrets encrypted). */
  async stufConfig(): Promise<StufConfig> {
    return (await this.#active.current()).stuf;
  }

  /** The `config/metadata_config.json` in force. */
  async metadataConfig(): Promise<MetadataConfig> {
    return (await this.#active.current()).metadata;
  }

  /**
   * Publishes a new `stuf_config.json` if `expectedRevision` is still current. `input` is the whole document (see
   * `stufConfigInputSchema`); every problem is reported at once, with paths under `config`.
   */
  async updateStufConfig(actor: Actor, expectedRevision: number, input: unknown): Promise<StufConfig> {
    const parsed = parseInput(stufConfigInputSchema, input);
    return this.#publish('stuf_config', STUF_CONFIG_KEY, stufConfigSchema, actor, expectedRevision, (current) => {
      const { value, issues } = applyStufConfigInput(parsed, current, this.options.secrets);
      const all = [...issues, ...validateStufConfig(value)];
      if (all.length > 0) throw validationError(dedupe(all));
      return value;
    });
  }

  /** Publishes a new `metadata_config.json` if `expectedRevision` is still current. */
  async updateMetadataConfig(actor: Actor, expectedRevision: number, input: unknown): Promise<MetadataConfig> {
    const { schemaVersion: _schemaVersion, revision: _revision, ...body } = parseInput(metadataConfigInputSchema, input);
    const issues = validateMetadataConfig(body);
    if (issues.length > 0) throw validationError(issues);
    return this.#publish('metadata_config', METADATA_CONFIG_KEY, metadataConfigSchema, actor, expectedRevision, (current) => {
      // Keys this version does not know (written by a newer replica) survive an edit made through this one.
      const { schemaVersion: _v, revision: _r, ...currentBody } = current;
      return { ...currentBody, ...body };
    });
  }

  /**
   * Moves the secrets of stuf_config.json to the newest key of the keyring, publishing a new revision when any had to
   * move (the last step of `rotateEncryptionKey`). Returns how many moved.
   */
  async reencryptSecrets(actor: Actor): Promise<number> {
    const keyring = this.options.secrets;
    if (!keyring) return 0;
    for (let attempt = 1; ; attempt++) {
      const { value: current } = await this.store.read(STUF_CONFIG_KEY, stufConfigSchema);
      const { moved } = reencryptStufConfigSecrets(current, keyring);
      if (moved === 0) return 0;
      try {
        await this.#publish('stuf_config', STUF_CONFIG_KEY, stufConfigSchema, actor, current.revision, (latest) => reencryptStufConfigSecrets(latest, keyring).value);
        return moved;
      } catch (error) {
        // An admin published meanwhile (their write kept the secrets, possibly still under the old key): look again.
        if (!(error instanceof RevisionConflictError) || attempt >= 5) throw error;
      }
    }
  }

  /** Published versions of `document`, newest first. */
  history(document: ConfigDocumentName, first: number): Promise<ConfigVersion[]> {
    return this.#history.list(document, first);
  }

  async #publish<T extends StufConfig | MetadataConfig>(
    document: ConfigDocumentName,
    key: string,
    schema: z.ZodType<T>,
    actor: Actor,
    expectedRevision: number,
    build: (current: T) => Omit<T, 'schemaVersion' | 'revision'>,
  ): Promise<T> {
    const journal = this.options.journal;
    if (!journal) throw new Error('ConfigService was created without a journal; it cannot publish changes');
    let before: T | undefined;
    const { value, etag } = await this.store.update(key, schema, (current) => {
      if (current.revision !== expectedRevision) throw new RevisionConflictError(current.revision, expectedRevision);
      before = current;
      return { ...build(current), schemaVersion: 1, revision: current.revision + 1 } as T;
    });
    // In force here at once; other replicas pick it up on their next revalidation.
    this.#active.applyOwnWrite(document as never, value as never, etag);
    await this.#history.record(document, value, actor);
    await journal.append({ actor, action: 'config.update', resource: { type: 'config', id: document }, before, after: value });
    this.options.logger?.info({ document, revision: value.revision, actor: actor.id }, 'config published');
    return value;
  }
}

/** Parses admin input; every problem becomes an issue under `config`. */
function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new ValidationError(
    parsed.error.issues.map((issue) => ({ path: ['config', ...issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment))], message: issue.message })),
  );
}

function validationError(issues: ValidationIssue[]): ValidationError {
  return new ValidationError(issues.map((issue) => ({ ...issue, path: ['config', ...issue.path] })));
}

/** One issue per path (the first, most specific one): two rules may catch the same problem. */
function dedupe(issues: ValidationIssue[]): ValidationIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const id = JSON.stringify(issue.path);
    return seen.has(id) ? false : (seen.add(id), true);
  });
}
