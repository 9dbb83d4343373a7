import { StufError } from './errors.js';

export interface RetryOptions {
  /** Retries after the first attempt (default 3). */
  retries: number;
  /** Delay before the first retry; doubles for each further one (default 250 ms). */
  baseDelayMs: number;
  /** Upper bound of one delay, before honouring the server's `retryAfterMs` (default 8 s). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { retries: 3, baseDelayMs: 250, maxDelayMs: 8_000 };

/** Retryable statuses: a gateway or the server says "not now". */
export const RETRYABLE_STATUSES = new Set([502, 503, 504]);

/** Error codes of a connection that failed or was reset, i.e. worth another try (Node/undici codes). */
const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** The code of a network failure (undici puts the socket error in `cause`, sometimes nested). */
export function networkErrorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/**
 * Whether a failed fetch is worth retrying: a known transient socket error, or (browsers) a failure without any code,
 * which is all a browser tells.
 */
export function isTransientNetworkError(error: unknown): boolean {
  const code = networkErrorCode(error);
  return code === undefined ? true : TRANSIENT_NETWORK_CODES.has(code);
}

/**
 * Exponential backoff with "equal jitter": half of the exponential step is fixed, half random, so retries from many
 * clients spread out. The server's `retryAfterMs` is a floor.
 */
export function backoffDelay(retry: number, options: RetryOptions, retryAfterMs?: number, random: () => number = Math.random): number {
  const step = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retry);
  const jittered = step / 2 + random() * (step / 2);
  return Math.max(retryAfterMs ?? 0, Math.round(jittered));
}

/** Waits `ms`, or rejects with an `ABORTED` StufError as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function abortError(signal: AbortSignal): StufError {
  return new StufError('ABORTED', 'The request was aborted', { cause: signal.reason });
}

/**
 * Runs `attempt` until it succeeds, fails with an error `mayRetry` refuses, or retries run out. The error thrown
 * records how many attempts were made.
 */
export async function withRetries<T>(
  attempt: (index: number) => Promise<T>,
  options: RetryOptions | false,
  mayRetry: (error: StufError) => boolean,
  signal?: AbortSignal,
): Promise<T> {
  const retries = options === false ? 0 : options.retries;
  for (let index = 0; ; index++) {
    try {
      return await attempt(index);
    } catch (error) {
      if (!(error instanceof StufError)) throw error;
      error.attempts = index + 1;
      if (options === false || index >= retries || !mayRetry(error)) throw error;
      await sleep(backoffDelay(index, options, error.retryAfterMs), signal);
    }
  }
}
