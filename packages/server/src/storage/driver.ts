import type { Readable } from 'node:stream';

/** Bytes handed to `put`: a stream (streamed, never buffered by the driver) or an in-memory buffer. */
export type PutBody = Readable | Uint8Array | string;

export interface PutOptions {
  contentType?: string;
  /** Only write when the stored object's ETag equals this one (optimistic concurrency). */
  ifMatch?: string;
  /** `'*'`: only write when no object exists under the key (create-only). */
  ifNoneMatch?: '*';
}

export interface GetOptions {
  /** Answer `{ notModified: true }` when the stored ETag equals this one (conditional GET). */
  ifNoneMatch?: string;
}

export interface ObjectInfo {
  key: string;
  etag: string;
  size: number;
  lastModified: Date;
  contentType?: string;
}

export interface GetResult extends ObjectInfo {
  notModified: false;
  body: Readable;
}

export interface NotModifiedResult {
  notModified: true;
  etag: string;
}

export interface ListOptions {
  /** Only keys that sort strictly after this key (lexicographic byte order). */
  startAfter?: string;
}

export interface DeleteOptions {
  ifMatch?: string;
}

/**
 * The one storage contract (architecture §3). Keys are bucket keys such as `uploads/<id>/metadata.json`;
 * every driver keeps them inside its bucket/root and reports failures with the errors of `errors.ts`.
 */
export interface StorageDriver {
  /** A short name for logs and test titles, e.g. `fs` or `s3`. */
  readonly name: string;
  /** Streams an object; throws `NotFoundError` when missing. */
  get(key: string, options?: GetOptions): Promise<GetResult | NotModifiedResult>;
  /** Object metadata without the body; throws `NotFoundError` when missing. */
  head(key: string): Promise<ObjectInfo>;
  /** Writes atomically (readers see the old or the new object, never a part); returns the new ETag. */
  put(key: string, body: PutBody, options?: PutOptions): Promise<{ etag: string }>;
  /** Deletes; a missing key is not an error unless `ifMatch` is given (then `NotFoundError`). */
  delete(key: string, options?: DeleteOptions): Promise<void>;
  /** Every object under `prefix` in key order, paging internally (never stops at 1,000). */
  list(prefix: string, options?: ListOptions): AsyncIterable<ObjectInfo>;
  /**
   * Optional: a time-limited URL that lets any HTTP client GET the object straight from the store (S3 presigned
   * URLs). Drivers without it are served through the server's own signed download route.
   */
  presignGet?(key: string, options: { expiresInSeconds: number; contentDisposition?: string; contentType?: string }): Promise<string>;
  /** Releases sockets, file handles, timers. */
  close?(): Promise<void>;
}

/** Compares ETags after normalizing quotes and weak markers (`W/"x"`, `"x"` and `x` are equal). */
export function normalizeEtag(etag: string): string {
  return etag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}
