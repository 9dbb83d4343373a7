/** One error of a GraphQL response's `errors[]`, as the server sends it. */
export interface GraphQLErrorShape {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

/**
 * Codes of request-level failures. The server's codes come from `errors[].extensions.code`; the SDK adds
 * `NETWORK_ERROR` (no answer), `HTTP_ERROR` (an answer that is not GraphQL), `ABORTED`, `INVALID_INPUT` (refused
 * before sending) and `FILE_READ_FAILED` (a file could not be read while sending).
 */
export type StufErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'ACCOUNT_INACTIVE'
  | 'NOT_FOUND'
  | 'CSRF_PREFLIGHT_REQUIRED'
  | 'BAD_REQUEST'
  | 'LIMIT_EXCEEDED'
  | 'CACHE_REGENERATING'
  | 'INTERNAL_SERVER_ERROR'
  | 'GRAPHQL_ERROR'
  | 'HTTP_ERROR'
  | 'NETWORK_ERROR'
  | 'ABORTED'
  | 'INVALID_INPUT'
  | 'FILE_READ_FAILED'
  | (string & {});

export interface StufErrorDetails {
  /** HTTP status of the answer, when there was one. */
  status?: number;
  /** How long the server asked to wait before retrying (`extensions.retryAfterMs` or `Retry-After`). */
  retryAfterMs?: number;
  /** True when repeating the same request later may succeed (the SDK already did, for operations safe to repeat). */
  retryable?: boolean;
  /** The server's `x-request-id`, to find the request in its logs. */
  requestId?: string;
  /** Every error of the response (the first one gives `code` and `message`). */
  errors?: GraphQLErrorShape[];
  /** Partial `data` that came with the errors, if any. */
  data?: unknown;
  cause?: unknown;
}

/**
 * Every failure the SDK throws. Expected, per-operation failures (validation, limits, …) are not thrown: they are
 * returned as typed union members (`__typename` tells which). A `StufError` means the request as a whole failed.
 */
export class StufError extends Error {
  override readonly name = 'StufError';
  readonly code: StufErrorCode;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly retryable: boolean;
  readonly requestId: string | undefined;
  readonly errors: GraphQLErrorShape[];
  readonly data: unknown;
  /** How many times the request was sent (retries included). */
  attempts = 1;

  constructor(code: StufErrorCode, message: string, details: StufErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.retryable = details.retryable ?? false;
    this.requestId = details.requestId;
    this.errors = details.errors ?? [];
    this.data = details.data;
  }
}

/** True when `error` is a {@link StufError} (optionally: with this code). */
export function isStufError(error: unknown, code?: StufErrorCode): error is StufError {
  return error instanceof StufError && (code === undefined || error.code === code);
}
