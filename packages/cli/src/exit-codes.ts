import { isStufError, type StufError } from '@stuf/sdk';

/** Exit codes of `stuf` (documented in the README; scripts may rely on them). */
export const EXIT = {
  OK: 0,
  /** Anything unexpected (a bug, or an error without a better code). */
  FAILURE: 1,
  /** Bad arguments or options, or an input file that cannot be read. */
  USAGE: 2,
  /** The server refused the request: validation failed, a limit was exceeded, the request was malformed. */
  REFUSED: 3,
  /** Not authenticated (no or wrong token) or not allowed. */
  AUTH: 4,
  /** What was asked for does not exist. */
  NOT_FOUND: 5,
  /** The server could not be reached or is unavailable (after retries). */
  UNAVAILABLE: 6,
  /** A downloaded file does not match its SHA-256. */
  INTEGRITY: 7,
  /** Interrupted (Ctrl-C). */
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports as one line on stderr, with its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

/** The exit code for a request-level failure of the SDK. */
export function exitCodeFor(error: StufError): ExitCode {
  switch (error.code) {
    case 'UNAUTHENTICATED':
    case 'FORBIDDEN':
    case 'ACCOUNT_INACTIVE':
      return EXIT.AUTH;
    case 'BAD_REQUEST':
    case 'LIMIT_EXCEEDED':
    case 'CSRF_PREFLIGHT_REQUIRED':
    case 'GRAPHQL_VALIDATION_FAILED':
      return EXIT.REFUSED;
    case 'NOT_FOUND':
      return EXIT.NOT_FOUND;
    case 'INVALID_INPUT':
    case 'FILE_READ_FAILED':
      return EXIT.USAGE;
    case 'ABORTED':
      return EXIT.INTERRUPTED;
    case 'NETWORK_ERROR':
    case 'CACHE_REGENERATING':
    case 'INTERNAL_SERVER_ERROR':
      return EXIT.UNAVAILABLE;
    default:
      return error.status !== undefined && error.status >= 500 ? EXIT.UNAVAILABLE : EXIT.FAILURE;
  }
}

/** One line (plus a hint) for an SDK error. */
export function describeStufError(error: StufError): string {
  const hint =
    error.code === 'UNAUTHENTICATED'
      ? '\n  hint: pass --token <token> or set STUF_TOKEN'
      : error.code === 'NETWORK_ERROR'
        ? '\n  hint: is the server running? pass --url <url> or set STUF_URL'
        : '';
  const id = error.requestId ? ` (request id ${error.requestId})` : '';
  return `${error.code}: ${error.message}${id}${hint}`;
}

export { isStufError };
