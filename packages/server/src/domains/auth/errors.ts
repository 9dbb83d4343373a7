import { StufError } from '../../errors.js';

/** The code is wrong, used or expired (one answer for all three, so guesses learn nothing). */
export class InvalidCodeError extends StufError {
  readonly code = 'INVALID_CODE';
  constructor() {
    super('The code is wrong or has expired; request a new one if needed');
  }
}

/** Too many wrong codes in a row: sign-in for this email address is locked for a while. */
export class SignInLockedError extends StufError {
  readonly code = 'SIGN_IN_LOCKED';
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many wrong codes: sign-in is locked; try again in ${retryAfterSeconds} s`);
  }
}

/** Too many sign-in requests for this email address or from this client. */
export class RateLimitedError extends StufError {
  readonly code = 'RATE_LIMITED';
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many sign-in requests; try again in ${retryAfterSeconds} s`);
  }
}

/** The user proved who they are, but is suspended or their access expired. */
export class AccountInactiveError extends StufError {
  readonly code = 'ACCOUNT_INACTIVE';
  constructor() {
    super('This account is suspended or its access has expired; contact the Trust Architect');
  }
}
