import { z } from 'zod';

/**
 * `auth/sign-in/email/<blind index>.json`: sign-in state of one email address, shared by every replica through the
 * bucket and changed only through `update()`. It exists for unknown addresses too, so rate limits and lockouts behave
 * the same whether or not the address belongs to a user. Codes are stored as keyed hashes; no contact data.
 */
export const emailSignInStateSchema = z.object({
  schemaVersion: z.literal(1),
  /** Recent sign-in requests (within the window), for the per-address rate limit. */
  requests: z.array(z.iso.datetime()),
  /** Wrong codes in a row (reset by a completed sign-in). */
  failures: z.number().int().nonnegative(),
  lockedUntil: z.iso.datetime().nullable(),
  /** The pending sign-in, if any: whose, which factor is next, and that factor's code hash. */
  attempt: z
    .object({
      id: z.string(),
      userId: z.string(),
      stage: z.enum(['email', 'sms']),
      codeSha256: z.string(),
      expiresAt: z.iso.datetime(),
    })
    .nullable(),
});
export type EmailSignInState = z.infer<typeof emailSignInStateSchema>;

/** `auth/sign-in/client/<address hash>.json`: recent sign-in steps from one client address. */
export const clientSignInStateSchema = z.object({
  schemaVersion: z.literal(1),
  hits: z.array(z.iso.datetime()),
});
export type ClientSignInState = z.infer<typeof clientSignInStateSchema>;

export const emptyEmailState = (): EmailSignInState => ({ schemaVersion: 1, requests: [], failures: 0, lockedUntil: null, attempt: null });
export const emptyClientState = (): ClientSignInState => ({ schemaVersion: 1, hits: [] });

/** Timestamps still inside the window ending at `now`. */
export function withinWindow(times: string[], now: Date, windowSeconds: number): string[] {
  const since = now.getTime() - windowSeconds * 1000;
  return times.filter((time) => Date.parse(time) > since);
}

/** Seconds until the oldest of `times` leaves the window (at least 1). */
export function secondsUntilFree(times: string[], now: Date, windowSeconds: number): number {
  const oldest = Math.min(...times.map((time) => Date.parse(time)));
  return Math.max(1, Math.ceil((oldest + windowSeconds * 1000 - now.getTime()) / 1000));
}

/** Seconds left of a lockout, or 0 when not locked. */
export function lockedFor(state: EmailSignInState, now: Date): number {
  if (!state.lockedUntil) return 0;
  return Math.max(0, Math.ceil((Date.parse(state.lockedUntil) - now.getTime()) / 1000));
}
