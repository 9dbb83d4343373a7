import { setTimeout as sleep } from 'node:timers/promises';

/** One HTTP request to a notification receiver, built afresh for every attempt (signatures carry a timestamp). */
export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface DeliveryOptions {
  maxAttempts: number;
  /** First backoff step; attempt n waits about base × 2^(n-1) (with jitter, at most MAX_BACKOFF_MS). */
  baseDelayMs: number;
  /** Per-attempt limit: a receiver that accepts the connection but never answers does not hold a delivery forever. */
  timeoutMs: number;
  fetch: typeof fetch;
  /** Aborted on shutdown: pending waits and requests stop. */
  signal: AbortSignal;
}

export type AttemptOutcome = { ok: true; status: number } | { ok: false; retryable: boolean; status?: number; error?: string; retryAfterMs?: number };

export type DeliveryResult = { delivered: true; attempts: number } | { delivered: false; attempts: number; last: AttemptOutcome };

const MAX_BACKOFF_MS = 5 * 60_000;
const RETRYABLE_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * POSTs until a 2xx answer, a permanent refusal (other 4xx: retrying cannot help), or `maxAttempts`. Network errors,
 * timeouts, 408/425/429 and 5xx are retried with exponential backoff and full jitter, honouring `Retry-After`.
 */
export async function deliver(build: () => OutgoingRequest, options: DeliveryOptions, onRetry: (attempt: number, outcome: AttemptOutcome, delayMs: number) => void): Promise<DeliveryResult> {
  for (let attempt = 1; ; attempt++) {
    const outcome = await attemptOnce(build(), options);
    if (outcome.ok) return { delivered: true, attempts: attempt };
    if (!outcome.retryable || attempt >= options.maxAttempts || options.signal.aborted) return { delivered: false, attempts: attempt, last: outcome };
    const backoff = Math.min(MAX_BACKOFF_MS, options.baseDelayMs * 2 ** (attempt - 1));
    const delayMs = Math.max(Math.round(backoff / 2 + (Math.random() * backoff) / 2), Math.min(MAX_BACKOFF_MS, outcome.retryAfterMs ?? 0));
    onRetry(attempt, outcome, delayMs);
    try {
      // Unref'd: a pending retry never keeps the process alive; shutdown aborts it.
      await sleep(delayMs, undefined, { signal: options.signal, ref: false });
    } catch {
      return { delivered: false, attempts: attempt, last: outcome };
    }
  }
}

async function attemptOnce(request: OutgoingRequest, options: DeliveryOptions): Promise<AttemptOutcome> {
  let response: Response;
  try {
    response = await options.fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]),
    });
  } catch (error) {
    return { ok: false, retryable: true, error: describeNetworkError(error) };
  }
  // The body is not needed (and may be large or hostile); release the connection.
  await response.body?.cancel().catch(() => undefined);
  if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status };
  return { ok: false, retryable: RETRYABLE_STATUSES.has(response.status), status: response.status, retryAfterMs: retryAfter(response.headers.get('retry-after')) };
}

/** A short reason without URLs, headers or bodies (they may carry secrets): `ECONNREFUSED`, `TimeoutError`, … */
function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; name?: unknown } })?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return error.name;
  if (typeof cause?.name === 'string') return cause.name;
  return error instanceof Error ? error.name : 'network error';
}

function retryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
