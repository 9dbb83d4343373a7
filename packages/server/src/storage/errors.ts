/** Base class of every storage failure; `code` is stable and safe to branch on. */
export class StorageError extends Error {
  constructor(
    readonly code:
      | 'NOT_FOUND'
      | 'PRECONDITION_FAILED'
      | 'CONFLICT'
      | 'INVALID_KEY'
      | 'STORAGE_UNAVAILABLE'
      | 'CORRUPT_DOCUMENT',
    message: string,
    readonly key?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The key does not exist (or, for a conditional write, the object it was conditioned on is gone). */
export class NotFoundError extends StorageError {
  constructor(key: string, options?: { cause?: unknown }) {
    super('NOT_FOUND', `No object at ${key}`, key, options);
  }
}

/** A conditional write or delete lost: the stored ETag is not the expected one, or a create-only key exists. */
export class PreconditionFailedError extends StorageError {
  /** `true` when the store reported a transient conflict (S3 409) rather than a definite mismatch: retry. */
  readonly retryable: boolean;
  constructor(key: string, options?: { cause?: unknown; retryable?: boolean }) {
    super('PRECONDITION_FAILED', `Precondition failed for ${key}`, key, options);
    this.retryable = options?.retryable ?? false;
  }
}

/** The key is not acceptable: empty, absolute, with `.`/`..` segments, control characters, or too long. */
export class InvalidKeyError extends StorageError {
  constructor(key: string, reason: string) {
    super('INVALID_KEY', `Invalid storage key ${JSON.stringify(key)}: ${reason}`, key);
  }
}

/** The store cannot be reached or refused our credentials. */
export class StorageUnavailableError extends StorageError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORAGE_UNAVAILABLE', message, undefined, options);
  }
}

/** A stored JSON document does not parse or does not match its schema; it is reported, never treated as empty. */
export class CorruptDocumentError extends StorageError {
  declare readonly key: string;
  /** The ETag of the version that is corrupt, when known: a conditional read can then skip it until it changes. */
  readonly etag: string | undefined;
  constructor(
    key: string,
    readonly reason: string,
    options?: { cause?: unknown; etag?: string },
  ) {
    super('CORRUPT_DOCUMENT', `Corrupt document at ${key}: ${reason}`, key, options);
    this.etag = options?.etag;
  }
}

export const isNotFound = (error: unknown): error is NotFoundError => error instanceof NotFoundError;
export const isPreconditionFailed = (error: unknown): error is PreconditionFailedError =>
  error instanceof PreconditionFailedError;
export const isCorruptDocument = (error: unknown): error is CorruptDocumentError => error instanceof CorruptDocumentError;
