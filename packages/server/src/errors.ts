/**
 * Expected, user-facing failures. Resolvers throw them; the Pothos errors plugin turns the ones a field declares into
 * typed union members (see errors-schema.ts), and `http/` maps the request-level ones to `extensions.code`.
 */
export abstract class StufError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export interface ValidationIssue {
  /** Where the problem is, e.g. `["metadata", "license"]` or `["files", 2]`. */
  path: (string | number)[];
  message: string;
}

/** Input did not pass validation; every problem is listed with its path. */
export class ValidationError extends StufError {
  readonly code = 'VALIDATION_FAILED';
  constructor(readonly issues: ValidationIssue[]) {
    super(issues.map((issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`).join('; '));
  }
}

export type LimitName = 'FILE_SIZE' | 'FILE_COUNT' | 'METADATA_SIZE';

/** A configured limit was exceeded; nothing was stored. */
export class LimitExceededError extends StufError {
  readonly code = 'LIMIT_EXCEEDED';
  constructor(
    readonly limit: LimitName,
    readonly maximum: number,
    message: string,
    readonly path: (string | number)[] = [],
  ) {
    super(message);
  }
}

/** A derived cache is being rebuilt while writes are in flight; retry after `retryAfterMs`. */
export class CacheRegeneratingError extends StufError {
  readonly code = 'CACHE_REGENERATING';
  constructor(
    readonly cache: string,
    readonly retryAfterMs: number,
  ) {
    super(`${cache} is being regenerated after concurrent writes; retry in ${retryAfterMs} ms`);
  }
}

/** The thing a mutation names does not exist (or the caller may not know it does). */
export class ResourceNotFoundError extends StufError {
  readonly code = 'NOT_FOUND';
  constructor(
    readonly resourceType: string,
    readonly id: string,
  ) {
    super(`No ${resourceType} with id ${id}`);
  }
}

/** The client's `revision` is stale: someone changed the resource since it was read. Re-read, re-apply, retry. */
export class RevisionConflictError extends StufError {
  readonly code = 'REVISION_CONFLICT';
  constructor(
    readonly currentRevision: number,
    expectedRevision: number,
  ) {
    super(`Revision ${expectedRevision} is stale; the current revision is ${currentRevision}`);
  }
}
