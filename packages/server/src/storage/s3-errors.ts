import { NotFoundError, PreconditionFailedError, StorageError, StorageUnavailableError } from './errors.js';

/** The shape the AWS SDK gives service errors; network errors carry only `code`/`name`. */
interface SdkErrorLike {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number };
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
]);

const CREDENTIAL_CODES = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidToken', 'ExpiredToken']);

/** Thrown when a conditional put's streamed body is too large to send as the single request that keeps it atomic. */
export class ConditionalPutTooLargeError extends Error {
  override name = 'ConditionalPutTooLargeError';
  constructor(
    readonly key: string,
    readonly limitBytes: number,
  ) {
    super(
      `Conditional put to ${key} is larger than ${limitBytes} bytes: conditional writes must be single PutObject requests ` +
        `(some stores ignore conditions on multipart uploads), so they are limited to small documents`,
    );
  }
}

/** HTTP status of an SDK error, if the store answered at all. */
export function httpStatusOf(error: unknown): number | undefined {
  const e = error as SdkErrorLike | undefined;
  return e?.$metadata?.httpStatusCode ?? e?.$response?.statusCode;
}

/** The S3 error code (`NoSuchKey`, `PreconditionFailed`, …) or network code (`ECONNREFUSED`). */
export function errorCodeOf(error: unknown): string | undefined {
  const e = error as SdkErrorLike | undefined;
  return e?.Code ?? e?.code ?? (e?.name && e.name !== 'Error' && e.name !== 'Unknown' ? e.name : undefined);
}

/** True when the request never got an HTTP answer (refused, DNS failure, timeout). */
export function isNetworkError(error: unknown): boolean {
  if (httpStatusOf(error) !== undefined) return false;
  const e = error as SdkErrorLike & { cause?: unknown; errors?: unknown[] };
  if (e?.code && NETWORK_CODES.has(e.code)) return true;
  if (e?.name === 'TimeoutError' || e?.name === 'RequestTimeout') return true;
  // AggregateError from happy-eyeballs connects, or wrapped causes.
  if (Array.isArray(e?.errors) && e.errors.some(isNetworkError)) return true;
  return e?.cause !== undefined && e.cause !== error && isNetworkError(e.cause);
}

/** True when the store rejected who we are (unknown key id, wrong secret, expired token). */
export function isCredentialError(error: unknown): boolean {
  const code = errorCodeOf(error);
  return code !== undefined && CREDENTIAL_CODES.has(code);
}

/** Describes a failure in words safe for logs: status, code and message, never request headers or secrets. */
export function describeS3Error(error: unknown): string {
  const e = error as SdkErrorLike | undefined;
  const status = httpStatusOf(error);
  const code = errorCodeOf(error);
  const message = e?.message && e.message !== 'UnknownError' ? e.message : undefined;
  const parts = [status !== undefined ? `HTTP ${status}` : undefined, code && !message?.includes(code) ? code : undefined, message];
  return parts.filter(Boolean).join(' ') || String(error);
}

/**
 * Maps an SDK failure for one key to the storage contract's errors: 404 → NotFound, 412 → PreconditionFailed,
 * 409 → retryable PreconditionFailed, unreachable/5xx/credentials → StorageUnavailable. Anything else is returned as is.
 */
export function toStorageError(error: unknown, key: string, where: string): unknown {
  if (error instanceof StorageError) return error;
  const status = httpStatusOf(error);
  const code = errorCodeOf(error);
  if (code === 'NoSuchBucket') return new StorageUnavailableError(`${where}: the bucket does not exist`, { cause: error });
  if (status === 404) return new NotFoundError(key, { cause: error });
  if (status === 412) return new PreconditionFailedError(key, { cause: error });
  // S3 answers 409 ConditionalRequestConflict when a concurrent conditional write is in flight: a retry may succeed.
  if (status === 409) return new PreconditionFailedError(key, { cause: error, retryable: true });
  if (isNetworkError(error) || (status !== undefined && status >= 500) || status === 403 || isCredentialError(error)) {
    return new StorageUnavailableError(`${where}: ${describeS3Error(error)}`, { cause: error });
  }
  return error;
}
