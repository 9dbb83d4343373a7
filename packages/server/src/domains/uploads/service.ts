import { v7 as uuidv7 } from 'uuid';
import type { Logger } from '../../logger.js';
import type { StorageDriver } from '../../storage/driver.js';
import type { JsonStore } from '../../storage/json-store.js';
import { uploadDataKey, uploadMetadataKey, uploadPrefix } from '../../storage/keys.js';
import { LimitExceededError, ValidationError } from '../../errors.js';
import type { IncomingFile } from '../../builder.js';
import type { Actor } from '../journal/documents.js';
import type { JournalService } from '../journal/service.js';
import type { ConfigService } from '../config/service.js';
import type { UploadsCacheService } from './cache.js';
import { uploadMetadataSchema, type UploadDocument, type UploadFileDocument, type UploadMetadata } from './documents.js';
import { displayName, safeStoredName, uniqueName } from './file-names.js';
import { meter } from './metered-stream.js';
import { paginate, type Page, type PageArgs } from './pagination.js';
import { matchesFilter, type UploadFilter } from './search.js';

export interface UploadLimits {
  maxFileSize: number;
  maxFiles: number;
  maxMetadataBytes: number;
}

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
  ) {}

  /** The limits in force: the server's, narrowed by `stuf_config.json` where it is stricter. */
  async effectiveLimits(): Promise<UploadLimits> {
    const { uploads } = await this.config.stufConfig();
    return {
      ...this.limits,
      maxFileSize: Math.min(this.limits.maxFileSize, uploads.maxFileSizeBytes ?? Infinity),
      maxFiles: Math.min(this.limits.maxFiles, uploads.maxFilesPerUpload ?? Infinity),
    };
  }

  /**
   * Streams every file to `uploads/<id>/data/`, then writes `metadata.json` (create-only), the journal entry, and
   * invalidates `uploads.json`. Input is validated before the first byte is stored; on any failure everything
   * written so far is removed, so nothing is half-stored.
   */
  async create(input: { actor: Actor; files: Promise<IncomingFile>[]; metadata: unknown }): Promise<UploadDocument> {
    const limits = await this.effectiveLimits();
    const metadata = validateMetadata(input.metadata, limits.maxMetadataBytes);
    if (input.files.length === 0) throw new ValidationError([{ path: ['files'], message: 'At least one file is required' }]);
    if (input.files.length > limits.maxFiles) {
      throw new LimitExceededError('FILE_COUNT', limits.maxFiles, `At most ${limits.maxFiles} files per upload`, ['files']);
    }

    // Parts that arrive after a failure must not become unhandled rejections.
    for (const promise of input.files) promise.catch(() => undefined);
    const id = uuidv7();
    const written: string[] = [];
    try {
      const files = await this.storeFiles(id, input.files, limits.maxFileSize, written);
      const document: UploadDocument = {
        schemaVersion: 1,
        id,
        revision: 1,
        createdAt: new Date().toISOString(),
        uploader: input.actor,
        files,
        metadata,
      };
      await this.store.create(uploadMetadataKey(id), document);
      written.push(uploadMetadataKey(id));
      await this.journal.append({ actor: input.actor, action: 'upload.create', resource: { type: 'upload', id }, after: document });
      written.length = 0; // committed: from here on nothing is rolled back
      await this.invalidateCache();
      this.logger.info({ uploadId: id, files: files.length, bytes: files.reduce((sum, file) => sum + file.size, 0) }, 'upload created');
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

  private async storeFiles(id: string, pending: Promise<IncomingFile>[], maxFileSize: number, written: string[]): Promise<UploadFileDocument[]> {
    const taken = new Set<string>();
    const files: UploadFileDocument[] = [];
    // Sequentially, in arrival order: graphql-upload-minimal does not buffer, so part N+1 only arrives after part N is read.
    for (const [index, promise] of pending.entries()) {
      const incoming = await promise;
      const name = displayName(incoming.filename);
      const storedName = uniqueName(safeStoredName(incoming.filename), taken);
      const contentType = incoming.mimetype || 'application/octet-stream';
      const metered = meter(incoming.createReadStream(), maxFileSize, () =>
        new LimitExceededError('FILE_SIZE', maxFileSize, `${name} is larger than the ${maxFileSize}-byte limit`, ['files', index]),
      );
      const key = uploadDataKey(id, storedName);
      written.push(key);
      await this.driver.put(key, metered, { contentType });
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

function validateMetadata(raw: unknown, maxBytes: number): UploadMetadata {
  if (raw === null || raw === undefined) return {};
  const parsed = uploadMetadataSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ValidationError(parsed.error.issues.map((issue) => ({ path: ['metadata', ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], message: issue.message })));
  }
  const size = Buffer.byteLength(JSON.stringify(parsed.data), 'utf8');
  if (size > maxBytes) throw new LimitExceededError('METADATA_SIZE', maxBytes, `metadata is ${size} bytes; at most ${maxBytes} allowed`, ['metadata']);
  return parsed.data;
}
