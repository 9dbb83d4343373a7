import { StufError } from '../../errors.js';

/** Another user already has this email address (compared normalized). */
export class EmailTakenError extends StufError {
  readonly code = 'EMAIL_TAKEN';
  constructor() {
    super('Another user already has this email address');
  }
}

/** The change would lock the caller out (deleting, suspending or demoting oneself, deleting the bootstrap admin). */
export class SelfLockoutError extends StufError {
  readonly code = 'SELF_LOCKOUT';
}
