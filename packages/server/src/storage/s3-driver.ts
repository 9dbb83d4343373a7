import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  normalizeEtag,
  type DeleteOptions,
  type GetOptions,
  type GetResult,
  type ListOptions,
  type NotModifiedResult,
  type ObjectInfo,
  type PutBody,
  type PutOptions,
  type StorageDriver,
} from './driver.js';
import { NotFoundError, PreconditionFailedError, StorageError } from './errors.js';
import { assertValidKey, assertValidPrefix } from './keys.js';
import { RequestCounter, createS3Client } from './s3-client.js';
import { httpStatusOf, toStorageError } from './s3-errors.js';
import { encryptionParams, resolveS3Options, type ResolvedS3Options, type S3DriverOptions } from './s3-options.js';
import { PartBufferPool } from './s3-multipart.js';
import { presignGetUrl, type PresignGetOptions } from './s3-presign.js';
import { etagHeader, probeStore, type S3StoreBehaviour } from './s3-probe.js';
import { checkBucket, startupError, withinStartupDeadline } from './s3-startup.js';
import { bufferBody, streamedPut } from './s3-upload.js';

export type { S3DriverOptions } from './s3-options.js';
export type { S3StoreBehaviour } from './s3-probe.js';
export type { PresignGetOptions } from './s3-presign.js';
export { ConditionalPutTooLargeError } from './s3-errors.js';

/**
 * The storage contract on one S3 bucket (architecture §3). Build it with `createS3Driver`, which checks the bucket and
 * probes how the store handles conditional requests; keys map 1:1 to object keys.
 */
export class S3Driver implements StorageDriver {
  readonly name = 's3';
  readonly bucket: string;
  private readonly encryption: ReturnType<typeof encryptionParams>;
  /** Part buffers of streamed puts, reused from one put to the next (kept for one put's worth: queueSize + 1). */
  private readonly partBuffers: PartBufferPool;

  constructor(
    /** The underlying client, for tests and tools (its requests are counted too). */
    readonly client: S3Client,
    private readonly settings: ResolvedS3Options & { serverSideEncryption?: S3DriverOptions['serverSideEncryption'] },
    /** What the startup probe found out about the store. */
    readonly behaviour: S3StoreBehaviour,
    private readonly counter: RequestCounter,
    /** Where the bucket is, for error messages. */
    readonly where: string,
  ) {
    this.bucket = settings.bucket;
    this.encryption = encryptionParams(settings.serverSideEncryption);
    this.partBuffers = new PartBufferPool(settings.partSizeBytes, settings.queueSize + 1);
  }

  /** HTTP requests sent per S3 command name (retries included) since the last reset, plus `total`. */
  requestCounts(): Record<string, number> {
    return this.counter.snapshot();
  }

  /** Starts counting requests from zero. */
  resetRequestCounts(): void {
    this.counter.reset();
  }

  /** A presigned GET URL for `key`, optionally making the store answer with the given Content-Disposition. */
  async presignGet(key: string, options?: PresignGetOptions): Promise<string> {
    assertValidKey(key);
    return presignGetUrl(this.client, this.bucket, key, options);
  }

  async get(key: string, options: GetOptions = {}): Promise<GetResult | NotModifiedResult> {
    assertValidKey(key);
    const form = this.behaviour.ifNoneMatchEtagForm;
    const ifNoneMatch = options.ifNoneMatch !== undefined && form !== 'unsupported' ? etagHeader(options.ifNoneMatch, form) : undefined;
    try {
      const result = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, IfNoneMatch: ifNoneMatch }));
      const etag = normalizeEtag(result.ETag ?? '');
      const body = result.Body as Readable | undefined;
      if (options.ifNoneMatch !== undefined && etag === normalizeEtag(options.ifNoneMatch)) {
        body?.destroy(); // store without conditional GET: same answer, one wasted body
        return { notModified: true, etag };
      }
      return {
        notModified: false,
        key,
        etag,
        size: result.ContentLength ?? 0,
        lastModified: result.LastModified ?? new Date(0),
        contentType: result.ContentType,
        body: body instanceof Readable ? body : Readable.from([]),
      };
    } catch (error) {
      if (httpStatusOf(error) === 304) return { notModified: true, etag: normalizeEtag(options.ifNoneMatch ?? '') };
      throw this.mapError(error, key, 'GetObject');
    }
  }

  async head(key: string): Promise<ObjectInfo> {
    assertValidKey(key);
    try {
      const result = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        key,
        etag: normalizeEtag(result.ETag ?? ''),
        size: result.ContentLength ?? 0,
        lastModified: result.LastModified ?? new Date(0),
        contentType: result.ContentType,
      };
    } catch (error) {
      throw this.mapError(error, key, 'HeadObject');
    }
  }

  async put(key: string, body: PutBody, options: PutOptions = {}): Promise<{ etag: string }> {
    assertValidKey(key);
    if (options.ifMatch !== undefined && options.ifNoneMatch !== undefined) {
      throw new TypeError('put: ifMatch and ifNoneMatch cannot be combined');
    }
    const params = { Bucket: this.bucket, Key: key, ContentType: options.contentType, ...this.encryption };
    if (options.ifMatch === undefined && options.ifNoneMatch === undefined) {
      // The caller's stream failing (e.g. the HTTP client went away) is its error, not the store's: rethrow it unchanged.
      let sourceError: unknown;
      if (body instanceof Readable) body.once('error', (error) => (sourceError = error));
      try {
        return { etag: await streamedPut(this.client, params, body, { ...this.settings, pool: this.partBuffers }) };
      } catch (error) {
        if (sourceError !== undefined && error === sourceError) throw error;
        throw this.mapError(error, key, 'put');
      }
    }
    // Conditions are only honoured on single PutObject requests (RGW ignores If-None-Match on CompleteMultipartUpload),
    // so conditional bodies are buffered: they are small JSON documents.
    const bytes = await bufferBody(body, this.settings.maxConditionalPutBytes, key);
    const ifMatch = options.ifMatch !== undefined ? etagHeader(options.ifMatch, this.behaviour.ifMatchEtagForm) : undefined;
    try {
      const result = await this.client.send(
        new PutObjectCommand({ ...params, Body: bytes, IfMatch: ifMatch, IfNoneMatch: options.ifNoneMatch }),
      );
      if (result.ETag) return { etag: normalizeEtag(result.ETag) };
      return { etag: (await this.head(key)).etag };
    } catch (error) {
      if (options.ifMatch !== undefined) await this.explainIfMatchFailure(error, key);
      throw this.mapError(error, key, 'PutObject');
    }
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<void> {
    assertValidKey(key);
    if (options.ifMatch === undefined) {
      try {
        await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
        return;
      } catch (error) {
        throw this.mapError(error, key, 'DeleteObject');
      }
    }
    if (!this.behaviour.conditionalDelete) {
      // The store ignores If-Match on DELETE (Ceph RGW): compare first. Not atomic — a write landing between the HEAD and
      // the DELETE is lost — but that is the best a store without conditional deletes allows.
      const current = await this.head(key);
      if (current.etag !== normalizeEtag(options.ifMatch)) throw new PreconditionFailedError(key);
    }
    try {
      await this.client.send(
        new DeleteObjectCommand({
          Bucket: this.bucket,
          Key: key,
          IfMatch: this.behaviour.conditionalDelete ? etagHeader(options.ifMatch, this.behaviour.ifMatchEtagForm) : undefined,
        }),
      );
    } catch (error) {
      await this.explainIfMatchFailure(error, key);
      throw this.mapError(error, key, 'DeleteObject');
    }
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ObjectInfo> {
    assertValidPrefix(prefix);
    let continuationToken: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix || undefined,
            MaxKeys: this.settings.listPageSize,
            // S3 ignores StartAfter once a continuation token is given, so it only shapes the first page.
            StartAfter: continuationToken ? undefined : options.startAfter,
            ContinuationToken: continuationToken,
          }),
        );
      } catch (error) {
        throw this.mapError(error, prefix, 'ListObjectsV2');
      }
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        yield {
          key: object.Key,
          etag: normalizeEtag(object.ETag ?? ''),
          size: object.Size ?? 0,
          lastModified: object.LastModified ?? new Date(0),
        };
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);
  }

  async close(): Promise<void> {
    this.partBuffers.clear();
    this.client.destroy();
  }

  /** On stores that answer 412 for If-Match on a missing key (RGW), a HEAD tells NotFound from an ETag mismatch. */
  private async explainIfMatchFailure(error: unknown, key: string): Promise<void> {
    if (httpStatusOf(error) !== 412 || this.behaviour.ifMatchMissingStatus !== 412) return;
    const exists = await this.head(key).then(
      () => true,
      (headError: unknown) => {
        if (headError instanceof NotFoundError) return false;
        throw headError;
      },
    );
    if (!exists) throw new NotFoundError(key, { cause: error });
  }

  private mapError(error: unknown, key: string, operation: string): unknown {
    return toStorageError(error, key, `S3 ${operation} ${key} (${this.where})`);
  }
}

/**
 * Connects to the bucket and returns a ready driver: checks the bucket is reachable and the credentials work (creating the
 * bucket if `createBucket`), then probes conditional-request behaviour unless `options.behaviour` is given. Throws
 * `StorageUnavailableError` with a message naming bucket and endpoint (never the secret) when the store is unusable.
 */
export async function createS3Driver(options: S3DriverOptions): Promise<S3Driver> {
  const settings = resolveS3Options(options);
  const counter = new RequestCounter(options.onRequest);
  const client = createS3Client(options, settings, counter);
  const where = `S3 endpoint ${settings.endpoint ?? `AWS ${settings.region}`}, bucket "${settings.bucket}"`;
  const check = { bucket: settings.bucket, region: settings.region, where, accessKeyId: options.credentials?.accessKeyId };
  try {
    const behaviour = await withinStartupDeadline(
      (async () => {
        await checkBucket(client, { ...check, createBucket: options.createBucket });
        return (
          options.behaviour ??
          (await probeStore(client, settings.bucket, where).catch((error: unknown) => {
            throw error instanceof StorageError ? error : startupError(error, check);
          }))
        );
      })(),
      options.startupTimeoutMs ?? 30_000,
      where,
    );
    return new S3Driver(client, { ...settings, serverSideEncryption: options.serverSideEncryption }, behaviour, counter, where);
  } catch (error) {
    client.destroy();
    throw error;
  }
}
