import { randomUUID } from 'node:crypto';
import type { Logger } from '../../logger.js';
import type { JsonStore } from '../../storage/json-store.js';
import { signInClientStateKey, signInEmailStateKey } from '../../storage/keys.js';
import { ValidationError } from '../../errors.js';
import type { ConfigService } from '../config/service.js';
import type { JournalService } from '../journal/service.js';
import { canAct, type UserRecord } from '../users/documents.js';
import type { UsersService } from '../users/service.js';
import { parseEmail } from '../users/validation.js';
import { CodeHasher, generateCode } from './codes.js';
import { emailCodeMessage, smsCodeMessage, type MessageSender, type OutgoingMessage } from './delivery/message.js';
import { AccountInactiveError, InvalidCodeError, RateLimitedError, SignInLockedError } from './errors.js';
import type { ClientInfo } from './service.js';
import type { SessionTokens } from './session-tokens.js';
import {
  clientSignInStateSchema,
  emailSignInStateSchema,
  emptyClientState,
  emptyEmailState,
  lockedFor,
  secondsUntilFree,
  withinWindow,
  type EmailSignInState,
} from './sign-in-state.js';

export interface SignInSettings {
  codeTtlSeconds: number;
  maxFailures: number;
  lockoutSeconds: number;
  emailLimit: number;
  clientLimit: number;
  windowSeconds: number;
}

/** What the two verification steps hand back. */
export interface SmsStep {
  ticket: string;
  /** The last two digits of the registered phone, so the person knows where to look. */
  phoneHint: string;
  expiresAt: Date;
}

/**
 * Participant sign-in with two factors: a code by email, then a code by SMS to the registered phone, then a session
 * token. Codes are random, stored as keyed hashes, single use and expiring; each email address and each client address
 * is rate-limited, and wrong codes in a row lock the address. All of that state lives in the bucket (replicas share
 * nothing else) and changes only through `update()`. The first step answers the same for known and unknown addresses.
 */
export class SignInService {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly store: JsonStore,
    private readonly users: UsersService,
    private readonly sessions: SessionTokens,
    private readonly hasher: CodeHasher,
    private readonly senders: { email: MessageSender; sms: MessageSender },
    private readonly journal: JournalService,
    private readonly config: ConfigService,
    private readonly settings: SignInSettings,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Step 1: sends a code to `email` if it belongs to a user who may sign in. The answer, its timing (delivery runs in
   * the background) and the rate limits are the same either way, so it never reveals whether the address is known.
   */
  async requestSignIn(rawEmail: string, client: ClientInfo): Promise<void> {
    const email = this.parseEmail(rawEmail);
    await this.countClientStep(client);
    const user = (await this.users.directory()).byEmail(email);
    const eligible = user && canAct(user, this.now()) && user.phone !== null ? user : undefined;
    // Read whether or not a code goes out, so both paths cost the same.
    const { projectName } = await this.config.stufConfig();
    const code = generateCode();
    const attemptId = randomUUID();
    const now = this.now();
    await this.store.update(
      signInEmailStateKey(this.users.cipher.emailIndex(email)),
      emailSignInStateSchema,
      (current): EmailSignInState => {
        const locked = lockedFor(current, now);
        if (locked > 0) throw new SignInLockedError(locked);
        const requests = withinWindow(current.requests, now, this.settings.windowSeconds);
        if (requests.length >= this.settings.emailLimit) throw new RateLimitedError(secondsUntilFree(requests, now, this.settings.windowSeconds));
        return {
          ...current,
          requests: [...requests, now.toISOString()],
          // A new request replaces any pending attempt: only the newest code works.
          attempt: eligible
            ? { id: attemptId, userId: eligible.id, stage: 'email', codeSha256: this.hasher.hashCode(attemptId, 'email', code), expiresAt: this.expiry(now) }
            : null,
        };
      },
      { createIfMissing: emptyEmailState },
    );
    if (!eligible) {
      this.logger.info({ known: user !== undefined }, 'sign-in requested; no code sent');
      return;
    }
    this.deliverInBackground(this.senders.email, emailCodeMessage(email, code, projectName, Math.round(this.settings.codeTtlSeconds / 60)));
  }

  /** Step 2: checks the email code, then sends an SMS code to the registered phone; answers a ticket for step 3. */
  async verifyEmailCode(rawEmail: string, code: string, client: ClientInfo): Promise<SmsStep> {
    const email = this.parseEmail(rawEmail);
    await this.countClientStep(client);
    const emailIndex = this.users.cipher.emailIndex(email);
    const smsCode = generateCode();
    const attempt = await this.checkCode(emailIndex, 'email', code, (current) => current.attempt !== null, (state) => ({
      ...state.attempt!,
      stage: 'sms',
      codeSha256: this.hasher.hashCode(state.attempt!.id, 'sms', smsCode),
      expiresAt: this.expiry(this.now()),
    }));
    const user = await this.activeUser(attempt.userId);
    const phone = this.users.cipher.decrypt(user.id, 'phone', user.phone);
    if (!phone) throw new AccountInactiveError();
    const { projectName } = await this.config.stufConfig();
    // Awaited: after the email factor, a delivery failure may be reported without revealing anything.
    await this.senders.sms.send(smsCodeMessage(phone, smsCode, projectName));
    const ticket = await this.sessions.issueTicket({ userId: user.id, attemptId: attempt.id, emailIndex });
    return { ticket, phoneHint: phone.slice(-2), expiresAt: new Date(attempt.expiresAt) };
  }

  /** Step 3: checks the SMS code of the ticket's attempt and answers a session token. */
  async verifySmsCode(ticketToken: string, code: string, client: ClientInfo): Promise<{ token: string; expiresAt: Date; user: UserRecord }> {
    await this.countClientStep(client);
    const ticket = await this.sessions.verifyTicket(ticketToken);
    if (!ticket) throw new InvalidCodeError();
    await this.checkCode(ticket.emailIndex, 'sms', code, (current) => current.attempt?.id === ticket.attemptId, () => null);
    let user = await this.activeUser(ticket.userId);
    const actor = { id: user.id, kind: 'user' as const };
    if (user.status === 'invited') {
      user = await this.users.change(actor, user.id, 'user.activate', (current) => (current.status === 'invited' ? { status: 'active' } : undefined));
    }
    const session = await this.sessions.issueSession(user.id);
    await this.journal.append({ actor, action: 'user.sign-in', resource: { type: 'user', id: user.id } });
    await this.users.recordAccess(user.id, [{ event: 'sign-in', ip: client.ip, userAgent: client.userAgent }]);
    this.logger.info({ userId: user.id }, 'signed in');
    return { ...session, user };
  }

  /** Waits for background deliveries (tests, shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  /**
   * Checks `code` against the pending attempt at `stage` and moves it on (`next`; null ends it). Wrong, expired or
   * used codes count as failures; the `maxFailures`-th in a row locks the address. Runs inside `update()`.
   */
  private async checkCode(
    emailIndex: string,
    stage: 'email' | 'sms',
    code: string,
    belongs: (state: EmailSignInState) => boolean,
    next: (state: EmailSignInState) => EmailSignInState['attempt'],
  ): Promise<NonNullable<EmailSignInState['attempt']>> {
    const now = this.now();
    type Outcome = { ok: true; attempt: NonNullable<EmailSignInState['attempt']> } | { ok: false; lockedNow: boolean };
    let outcome: Outcome | undefined;
    await this.store.update(
      signInEmailStateKey(emailIndex),
      emailSignInStateSchema,
      (current) => {
        const locked = lockedFor(current, now);
        if (locked > 0) throw new SignInLockedError(locked);
        const attempt = current.attempt;
        const valid =
          attempt !== null &&
          belongs(current) &&
          attempt.stage === stage &&
          Date.parse(attempt.expiresAt) > now.getTime() &&
          this.hasher.matches(attempt.id, stage, code, attempt.codeSha256);
        if (valid) {
          const following = next(current);
          outcome = { ok: true, attempt: following ?? attempt };
          // Single use: the code's hash is replaced (next factor) or the attempt removed; a completed sign-in resets failures.
          return { ...current, attempt: following, failures: following ? current.failures : 0 };
        }
        const failures = current.failures + 1;
        const lockedNow = failures >= this.settings.maxFailures;
        outcome = { ok: false, lockedNow };
        return lockedNow
          ? { ...current, failures: 0, attempt: null, lockedUntil: new Date(now.getTime() + this.settings.lockoutSeconds * 1000).toISOString() }
          : { ...current, failures };
      },
      { createIfMissing: emptyEmailState },
    );
    const result = outcome as Outcome | undefined as Outcome;
    if (result.ok) return result.attempt;
    if (result.lockedNow) {
      this.logger.warn({ emailIndex }, 'sign-in locked after repeated wrong codes');
      await this.journal.append({ actor: { id: 'system', kind: 'system' }, action: 'sign-in.lock', resource: { type: 'sign-in', id: emailIndex } });
    }
    throw new InvalidCodeError();
  }

  /** Rate limit per client address, shared by replicas through the bucket. */
  private async countClientStep(client: ClientInfo): Promise<void> {
    const now = this.now();
    await this.store.update(
      signInClientStateKey(this.hasher.hashAddress(client.ip ?? 'unknown')),
      clientSignInStateSchema,
      (current) => {
        const hits = withinWindow(current.hits, now, this.settings.windowSeconds);
        if (hits.length >= this.settings.clientLimit) throw new RateLimitedError(secondsUntilFree(hits, now, this.settings.windowSeconds));
        return { ...current, hits: [...hits, now.toISOString()] };
      },
      { createIfMissing: emptyClientState },
    );
  }

  private async activeUser(userId: string): Promise<UserRecord> {
    const user = await this.users.get(userId);
    if (!user) throw new InvalidCodeError();
    if (!canAct(user, this.now())) throw new AccountInactiveError();
    return user;
  }

  private parseEmail(raw: string): string {
    const email = parseEmail(raw);
    if (!email) throw new ValidationError([{ path: ['input', 'email'], message: 'Not an email address' }]);
    return email;
  }

  private expiry(now: Date): string {
    return new Date(now.getTime() + this.settings.codeTtlSeconds * 1000).toISOString();
  }

  private deliverInBackground(sender: MessageSender, message: OutgoingMessage): void {
    const delivery = sender
      .send(message)
      // Name and code only: a delivery error's message may quote the recipient's address.
      .catch((error: unknown) =>
        this.logger.error({ error: (error as Error)?.name, errorCode: (error as { code?: unknown })?.code, channel: message.channel, sender: sender.name }, 'could not deliver sign-in code'),
      )
      .finally(() => this.pending.delete(delivery));
    this.pending.add(delivery);
  }
}
