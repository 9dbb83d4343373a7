import type { S3StoreBehaviour } from './s3-probe.js';

const MiB = 1024 * 1024;

/** S3's smallest allowed multipart part (all but the last part). */
export const MIN_PART_SIZE_BYTES = 5 * MiB;

/** S3's most parts per multipart upload: the largest streamed object is MAX_PARTS × partSize. */
export const MAX_PARTS = 10_000;

/**
 * Default part size and parts in flight of streamed puts. A streamed put holds (queueSize + 1) part buffers (one
 * filling while queueSize upload), so these defaults cost 15.7 MB per concurrent upload; with 8 MiB × (4 + 1) a 1 GiB
 * upload took the server's peak RSS from ~102 MB idle to ~170 MB (issue 4's bar: 150 MB), and on loopback RGW the
 * larger settings were not measurably faster (bench/README.md). 5 MiB parts allow objects up to 48.8 GiB; the
 * environment raises the part size when STUF_MAX_FILE_SIZE needs more (s3-env.ts).
 */
export const DEFAULT_PART_SIZE_BYTES = 5 * MiB;
export const DEFAULT_QUEUE_SIZE = 2;

export interface S3DriverOptions {
  bucket: string;
  /** e.g. `http://127.0.0.1:7480`; omit for AWS itself. */
  endpoint?: string;
  /** Default `us-east-1`. */
  region?: string;
  /** Path-style URLs (`<endpoint>/<bucket>/<key>`); needed by most self-hosted stores. Default: true when `endpoint` is set. */
  forcePathStyle?: boolean;
  /** Static credentials; when omitted the standard AWS credential chain (env, profile, instance role…) is used. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Server-side encryption for every object written: `SSE-S3` (AES256) or `SSE-KMS` with an optional key id. */
  serverSideEncryption?: { type: 'SSE-S3' } | { type: 'SSE-KMS'; kmsKeyId?: string };
  /**
   * Multipart part size for streamed puts; default 5 MiB (DEFAULT_PART_SIZE_BYTES), at least 5 MiB. Memory per streamed
   * put = partSize × (queueSize + 1); the largest streamed object is 10,000 × partSize.
   */
  partSizeBytes?: number;
  /** Parts uploaded concurrently per streamed put; default 2 (DEFAULT_QUEUE_SIZE). */
  queueSize?: number;
  /** Largest body a conditional put may have (it is buffered and sent as one PutObject); default 8 MiB. */
  maxConditionalPutBytes?: number;
  /** Objects per ListObjectsV2 page; default 1000 (tests lower it to exercise paging). */
  listPageSize?: number;
  /** Create the bucket at startup when it is missing (tests, local development). */
  createBucket?: boolean;
  /** Skip the startup probe and trust this result (e.g. a child process of one that probed the same store). */
  behaviour?: S3StoreBehaviour;
  /** Called once per HTTP request sent (retries included) with the command name, e.g. `PutObject`. */
  onRequest?: (commandName: string) => void;
  /** TCP connect timeout; default 5 s, so a black-holed endpoint fails fast at startup. */
  connectionTimeoutMs?: number;
  /**
   * How long one request may wait for the store's answer (from sending until the response headers, or between bytes
   * of the socket) before it fails as a timeout and is retried; default 120 s. A store that accepts connections and
   * never answers would otherwise hang the request forever.
   */
  requestTimeoutMs?: number;
  /** How long the startup checks (bucket, behaviour probe) may take in all before the server refuses to start; default 30 s. */
  startupTimeoutMs?: number;
  /** Attempts per request including retries; default 3. */
  maxAttempts?: number;
}

export interface ResolvedS3Options extends Required<Pick<S3DriverOptions, 'bucket' | 'region' | 'forcePathStyle'>> {
  endpoint?: string;
  partSizeBytes: number;
  queueSize: number;
  maxConditionalPutBytes: number;
  listPageSize: number;
}

/** Applies defaults and rejects impossible settings with a message naming the option. */
export function resolveS3Options(options: S3DriverOptions): ResolvedS3Options {
  if (!options.bucket) throw new TypeError('S3 driver: `bucket` is required');
  const partSizeBytes = options.partSizeBytes ?? DEFAULT_PART_SIZE_BYTES;
  if (partSizeBytes < MIN_PART_SIZE_BYTES) {
    throw new RangeError(`S3 driver: partSizeBytes must be at least ${MIN_PART_SIZE_BYTES} (S3's minimum part size)`);
  }
  const queueSize = options.queueSize ?? DEFAULT_QUEUE_SIZE;
  if (!Number.isInteger(queueSize) || queueSize < 1) throw new RangeError('S3 driver: queueSize must be a positive integer');
  const listPageSize = options.listPageSize ?? 1000;
  if (!Number.isInteger(listPageSize) || listPageSize < 1 || listPageSize > 1000) {
    throw new RangeError('S3 driver: listPageSize must be an integer from 1 to 1000');
  }
  return {
    bucket: options.bucket,
    endpoint: options.endpoint,
    region: options.region ?? 'us-east-1',
    forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
    partSizeBytes,
    queueSize,
    maxConditionalPutBytes: options.maxConditionalPutBytes ?? 8 * MiB,
    listPageSize,
  };
}

/** The SSE parameters to add to PutObject / CreateMultipartUpload. */
export function encryptionParams(
  sse: S3DriverOptions['serverSideEncryption'],
): { ServerSideEncryption?: 'AES256' | 'aws:kms'; SSEKMSKeyId?: string } {
  if (!sse) return {};
  if (sse.type === 'SSE-S3') return { ServerSideEncryption: 'AES256' };
  return sse.kmsKeyId ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: sse.kmsKeyId } : { ServerSideEncryption: 'aws:kms' };
}
