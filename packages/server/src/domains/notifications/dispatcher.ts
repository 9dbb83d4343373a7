import { randomUUID } from 'node:crypto';
import type { Keyring } from '../../crypto/keyring.js';
import type { Logger } from '../../logger.js';
import type { StufConfig } from '../config/documents.js';
import { decryptWebhookSecret, decryptZulipApiKey } from '../config/secrets.js';
import type { UploadDocument } from '../uploads/documents.js';
import { deliver, type AttemptOutcome, type OutgoingRequest } from './delivery.js';
import { uploadCreatedPayload, webhookRequest } from './webhook.js';
import { zulipRequest, zulipUploadMessage } from './zulip.js';

/** What the uploads domain tells about each committed upload. Must return at once and never throw. */
export interface UploadNotifier {
  uploadCreated(upload: UploadDocument, config: StufConfig): void;
}

export interface DispatcherOptions {
  /** Opens the stored Zulip API key and webhook secret; without it nothing can be sent. */
  secrets: Keyring | undefined;
  maxAttempts: number;
  baseDelayMs: number;
  timeoutMs: number;
  /** Deliveries in flight (retries included) beyond which new ones are dropped and logged, so a dead receiver cannot exhaust memory. */
  maxPending?: number;
  fetch?: typeof fetch;
}

type Channel = 'zulip' | 'webhook';

/**
 * Sends the notifications of `stuf_config.json` (Zulip, webhook) for each upload in the background: the upload has
 * already been answered, so a slow or failing receiver never fails or slows it. Failures are retried with backoff and
 * logged with the channel, upload id and receiver origin — never a URL path, header, key or body.
 */
export class NotificationDispatcher implements UploadNotifier {
  readonly #pending = new Set<Promise<void>>();
  readonly #shutdown = new AbortController();

  constructor(
    private readonly options: DispatcherOptions,
    private readonly logger: Logger,
  ) {}

  /** Starts one delivery per enabled channel; returns at once. */
  uploadCreated(upload: UploadDocument, config: StufConfig): void {
    const { zulip, webhook } = config.notifications;
    if (zulip?.enabled && zulip.apiKey) {
      const apiKey = this.#open('zulip', upload.id, () => decryptZulipApiKey(zulip.apiKey!, this.options.secrets!));
      if (apiKey !== undefined) {
        const request = zulipRequest(zulip, apiKey, zulipUploadMessage(upload, config.projectName));
        this.#start('zulip', upload.id, zulip.siteUrl, () => request);
      }
    }
    if (webhook?.enabled && webhook.secret) {
      const secret = this.#open('webhook', upload.id, () => decryptWebhookSecret(webhook.secret!, this.options.secrets!));
      if (secret !== undefined) {
        const deliveryId = randomUUID();
        const body = uploadCreatedPayload(upload, deliveryId, config.projectName);
        this.#start('webhook', upload.id, webhook.url, () => webhookRequest(webhook.url, secret, 'upload.created', deliveryId, body, new Date()));
      }
    }
  }

  /** Waits up to `timeoutMs` for deliveries in flight, then abandons the rest (logged): used on shutdown. */
  async drain(timeoutMs: number): Promise<void> {
    if (this.#pending.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([Promise.allSettled([...this.#pending]), timeout]);
      clearTimeout(timer);
    }
    this.#shutdown.abort();
    await Promise.allSettled([...this.#pending]);
  }

  #open(channel: Channel, uploadId: string, decrypt: () => string): string | undefined {
    if (!this.options.secrets) {
      this.logger.error({ channel, uploadId }, 'notification not sent: this server has no keyring to read the stored secret');
      return undefined;
    }
    try {
      return decrypt();
    } catch (error) {
      this.logger.error({ channel, uploadId, reason: (error as Error).message }, 'notification not sent: the stored secret cannot be decrypted with STUF_ENCRYPTION_KEYS');
      return undefined;
    }
  }

  #start(channel: Channel, uploadId: string, url: string, build: () => OutgoingRequest): void {
    const target = new URL(url).origin;
    const log = this.logger.child({ channel, uploadId, target });
    if (this.#pending.size >= (this.options.maxPending ?? 1_000)) {
      log.error('notification dropped: too many deliveries in flight');
      return;
    }
    const delivery = deliver(
      build,
      { maxAttempts: this.options.maxAttempts, baseDelayMs: this.options.baseDelayMs, timeoutMs: this.options.timeoutMs, fetch: this.options.fetch ?? fetch, signal: this.#shutdown.signal },
      (attempt, outcome, delayMs) => log.warn({ attempt, ...describe(outcome), retryInMs: delayMs }, 'notification attempt failed; retrying'),
    )
      .then((result) => {
        if (result.delivered) log.info({ attempts: result.attempts }, 'notification delivered');
        else log.error({ attempts: result.attempts, ...describe(result.last) }, 'notification failed');
      })
      .catch((error: unknown) => log.error({ err: error }, 'notification failed'))
      .finally(() => this.#pending.delete(delivery));
    this.#pending.add(delivery);
  }
}

function describe(outcome: AttemptOutcome): Record<string, unknown> {
  return outcome.ok ? { status: outcome.status } : { status: outcome.status, error: outcome.error, retryable: outcome.retryable };
}
