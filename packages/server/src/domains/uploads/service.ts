import { v7 as uuidv7 } from 'uuid';
import type { Logger } from '../../logger.js';
import type { StorageDriver } from '../../storage/driver.js';
import type { JsonStore } from '../../storage/json-store.js';
import { uploadDataKey, uploadMetadataKey, uploadPrefix } from '../../storage/keys.js';
import { LimitExceededError, ValidationError, type ValidationIssue } from '../../errors.js';
import type { IncomingFile } from '../../builder.js';
import type { Actor } from '../journal/documents.js';
import type { JournalService } from '../journal/service.js';
import type { ConfigService } from '../config/service.js';
import type { UploadNotifier } from '../notifications/dispatcher.js';
import type { UploadsCacheService } from './cache.js';
import { uploadMetadataSchema, type UploadDocument, type UploadFileDocument, type UploadMetadata } from './documents.js';
import { displayName, safeStoredName, uniqueName } from './file-names.js';
import { effectiveRules, fileTypeViolation, type UploadLimits, type UploadRules } from './limits.js';
import { meter } from './metered-stream.js';
import { paginate, type Page, type PageArgs } from './pagination.js';
import { matchesFilter, type UploadFilter } from './search.js';
import { validateAcknowledgement, validateMetadata } from './validate-metadata.js';

export type { UploadLimits, UploadRules };

/** Creates, reads and lists uploads, following the write protocol of architecture §4. */
export class UploadsService {
  constructor(
    private readonly driver: StorageDriver,
    private readonly store: JsonStore,
    private readonly journal: JournalService,
    private readonly config: ConfigService,
    readonly cache: UploadsCacheService,
    private readonly limits: UploadLimits,
    private readonly logger: Logger,
    /** Told about every committed upload (Zulip, webhook); it must return at once and never throw. */
    private readonly notifier?: UploadNotifier,
  ) {}

  /** The server's own limits (environment), before the config narrows them. */
  get serverLimits(): UploadLimits {
    return this.limits;
  }

  /** The rules in force: the server's limits, narrowed by `stuf_config.json` where it is stricter, and its type lists. */
  async effectiveLimits(): Promise<UploadRules> {
    return effectiveRules(this.limits, await this.config.stufConfig());
  }

  /**
   * Validates metadata, the legal acknowledgement and the file count against one config snapshot, then streams every
   * file to `uploads/<id>/data/` (each checked for type as its part arrives, before its bytes are stored), writes
   * `metadata.json` (create-only), the journal entry, invalidates `uploads.json`, and hands the upload to the
   * notifier. On any failure everything written so far is removed, so nothing is half-stored.
   */
  async create(input: { actor: Actor; files: Promise<IncomingFile>[]; metadata: unknown; legalDeclarationVersion?: string | null }): Promise<UploadDocument> {
    // Parts that arrive after a failure must not become unhandled rejections.
    for (const promise of input.files) promise.catch(() => undefined);
    const id = uuidv7();
    const written: string[] = [];
    try {
      // One snapshot for the whole request: a reload in the middle never mixes two configs.
      const config = await this.config.snapshot();
      const rules = effectiveRules(this.limits, config.stuf);
      const metadata = parseMetadata(input.metadata, rules.maxMetadataBytes);
      const issues: ValidationIssue[] = [
        ...validateMetadata(metadata, config.metadata),
        ...validateAcknowledgement(input.legalDeclarationVersion, config.metadata.legalDeclaration),
        ...(input.files.length === 0 ? [{ path: ['files'], message: 'At least one file is required' }] : []),
      ];
      if (issues.length > 0) throw new ValidationError(issues);
      if (input.files.length > rules.maxFiles) {
        throw new LimitExceededError('FILE_COUNT', rules.maxFiles, `At most ${rules.maxFiles} files per upload`, ['files']);
      }

      const files = await this.storeFiles(id, input.files, rules, written);
      const createdAt = new Date().toISOString();
      const acknowledged = input.legalDeclarationVersion ? { legalDeclaration: { version: input.legalDeclarationVersion, acknowledgedAt: createdAt } } : {};
      const document: UploadDocument = {
        schemaVersion: 1,
        id,
        revision: 1,
        createdAt,
        uploader: input.actor,
        files,
        metadata,
        ...acknowledged,
      };
      await this.store.create(uploadMetadataKey(id), document);
      written.push(uploadMetadataKey(id));
      await this.journal.append({ actor: input.actor, action: 'upload.create', resource: { type: 'upload', id }, after: document });
      written.length = 0; // committed: from here on nothing is rolled back
      await this.invalidateCache();
      this.logger.info({ uploadId: id, files: files.length, bytes: files.reduce((sum, file) => sum + file.size, 0) }, 'upload created');
      this.notifier?.uploadCreated(document, config.stuf);
      return document;
    } catch (error) {
      discardUnread(input.files);
      await this.rollback(id, written);
      throw error;
    }
  }

  /** One upload by id from the cache, or null. */
  async get(id: string): Promise<UploadDocument | null> {
    return (await this.cache.all()).find((upload) => upload.id === id) ?? null;
  }

  /** Uploads by id in the order asked (DataLoader batch contract), null for unknown ids. */
  async getMany(ids: readonly string[]): Promise<(UploadDocument | null)[]> {
    const byId = new Map((await this.cache.all()).map((upload) => [upload.id, upload]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  /** A page of uploads matching `filter` (and made by `onlyUploaderId`, when given), newest first, with the total count. */
  async list(args: PageArgs & { filter?: UploadFilter | null; search?: string | null; onlyUploaderId?: string }): Promise<Page<UploadDocument>> {
    const uploads = (await this.cache.all()).filter(
      (upload) => (args.onlyUploaderId === undefined || upload.uploader.id === args.onlyUploaderId) && matchesFilter(upload, args.filter, args.search),
    );
    return paginate(uploads, args, (upload) => ({ createdAt: upload.createdAt, id: upload.id }));
  }

  /** Opens one stored file for download. */
  async openFile(upload: UploadDocument, file: UploadFileDocument) {
    return this.driver.get(uploadDataKey(upload.id, file.storedName));
  }

  private async storeFiles(id: string, pending: Promise<IncomingFile>[], rules: UploadRules, written: string[]): Promise<UploadFileDocument[]> {
    const { maxFileSize } = rules;
    const taken = new Set<string>();
    const files: UploadFileDocument[] = [];
    // Sequentially, in arrival order: graphql-upload-minimal does not buffer, so part N+1 only arrives after part N is read.
    for (const [index, promise] of pending.entries()) {
      const incoming = await promise;
      const name = displayName(incoming.filename);
      const storedName = uniqueName(safeStoredName(incoming.filename), taken);
      const contentType = incoming.mimetype || 'application/octet-stream';
      // Checked on the part's headers, before a byte of it is read; earlier files of this upload are rolled back.
      const refused = fileTypeViolation(name, contentType, rules);
      if (refused) throw new ValidationError([{ path: ['files', index], message: refused }]);
      const metered = meter(incoming.createReadStream(), maxFileSize, () =>
        new LimitExceededError('FILE_SIZE', maxFileSize, `${name} is larger than the ${maxFileSize}-byte limit`, ['files', index]),
      );
      const key = uploadDataKey(id, storedName);
      written.push(key);
      try {
        await this.driver.put(key, metered, { contentType });
      } catch (error) {
        // A storage failure leaves the part unread; drain it so the rest of the request body (and the answer) get through.
        if (!metered.destroyed) metered.resume();
        throw error;
      }
      files.push({ name, storedName, size: metered.bytes, contentType, sha256: metered.digest() });
    }
    return files;
  }

  private async rollback(id: string, written: string[]): Promise<void> {
    for (const key of written.reverse()) {
      await this.driver.delete(key).catch((error) => this.logger.error({ err: error, key }, 'rollback: could not delete'));
    }
    if (written.length > 0) this.logger.warn({ uploadId: id, prefix: uploadPrefix(id) }, 'upload failed; stored parts removed');
  }

  private async invalidateCache(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.cache.invalidate();
      } catch (error) {
        if (attempt >= 3) {
          // The upload is committed and journaled; a stale cache is repaired by the next invalidation or by deleting it.
          this.logger.error({ err: error }, 'could not invalidate uploads.json');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  }
}

/** Reads and discards files we will not store, so the rest of the request body drains and the answer gets out. */
function discardUnread(files: Promise<IncomingFile>[]): void {
  for (const promise of files) {
    promise
      .then((file) => {
        const stream = file.createReadStream();
        stream.on('error', () => undefined).resume();
      })
      .catch(() => undefined);
  }
}

/** The metadata as a JSON object within the size limit (its fields are checked against the config afterwards). */
function parseMetadata(raw: unknown, maxBytes: number): UploadMetadata {
  if (raw === null || raw === undefined) return {};
  const parsed = uploadMetadataSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ValidationError(parsed.error.issues.map((issue) => ({ path: ['metadata', ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], message: issue.message })));
  }
  const size = Buffer.byteLength(JSON.stringify(parsed.data), 'utf8');
  if (size > maxBytes) throw new LimitExceededError('METADATA_SIZE', maxBytes, `metadata is ${size} bytes; at most ${maxBytes} allowed`, ['metadata']);
  return parsed.data;
}
