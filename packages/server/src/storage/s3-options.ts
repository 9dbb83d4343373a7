import type { S3StoreBehaviour } from './s3-probe.js';

const MiB = 1024 * 1024;

/** S3's smallest allowed multipart part (all but the last part). */
export const MIN_PART_SIZE_BYTES = 5 * MiB;

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
  /** Multipart part size for streamed puts; default 8 MiB, at least 5 MiB. Peak memory per upload ≈ partSize × queueSize. */
  partSizeBytes?: number;
  /** Parts uploaded concurrently per streamed put; default 4. */
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
  /** Socket idle timeout per request; default 120 s. */
  requestTimeoutMs?: number;
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
  const partSizeBytes = options.partSizeBytes ?? 8 * MiB;
  if (partSizeBytes < MIN_PART_SIZE_BYTES) {
    throw new RangeError(`S3 driver: partSizeBytes must be at least ${MIN_PART_SIZE_BYTES} (S3's minimum part size)`);
  }
  const queueSize = options.queueSize ?? 4;
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
