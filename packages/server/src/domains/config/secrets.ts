import type { ValidationIssue } from '../../errors.js';
import type { EncryptedValue, Keyring } from '../../crypto/keyring.js';
import type { StufConfig, StufConfigInput } from './documents.js';

/*
 * The secrets of stuf_config.json (Zulip API key, webhook secret): encrypted with the keyring of STUF_ENCRYPTION_KEYS
 * (the one that encrypts contact data) on the way in, never sent out. Reads get
 * `apiKeySet` / `secretSet` instead, and admin input that leaves a secret out keeps the stored one.
 */

/** Associated data binds each ciphertext to its setting: a ciphertext copied to another setting does not decrypt. */
const ZULIP_API_KEY_AAD = 'stuf_config:notifications.zulip.apiKey';
const WEBHOOK_SECRET_AAD = 'stuf_config:notifications.webhook.secret';

/** Without the index signature of a loose object, so `Omit` keeps the known keys. */
type Known<T> = { [K in keyof T as string extends K ? never : K]: T[K] };
type StufConfigBody = Omit<Known<StufConfig>, 'schemaVersion' | 'revision'>;

/**
 * Turns admin input into the stored form: new secrets encrypted, omitted ones kept from `current`. A stored Zulip key is
 * only kept while the Zulip site stays the same — it is never sent to a host it was not entered for.
 */
export function applyStufConfigInput(input: StufConfigInput, current: StufConfig, box: Keyring | undefined): { value: StufConfigBody; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  const encrypt = (plaintext: string, aad: string, path: ValidationIssue['path']): EncryptedValue | null => {
    if (box) return box.encrypt(plaintext, aad);
    issues.push({ path, message: 'This server cannot store secrets (it has no encryption keyring)' });
    return null;
  };
  // A kept secret moves to the newest key of STUF_ENCRYPTION_KEYS: publishing the config completes a key rotation for it.
  const keep = (value: EncryptedValue | null, aad: string): EncryptedValue | null => {
    if (!value || !box) return value;
    try {
      return box.reencrypt(value, aad);
    } catch {
      return value; // unreadable with this keyring: kept as it is (sending logs why), never silently dropped
    }
  };
  const { schemaVersion: _schemaVersion, revision: _revision, notifications, ...rest } = input;

  let zulip: StufConfig['notifications']['zulip'] = null;
  if (notifications.zulip) {
    const { apiKey, apiKeySet: _apiKeySet, ...settings } = notifications.zulip;
    const stored = current.notifications.zulip;
    const sameSite = stored !== null && new URL(stored.siteUrl).origin === new URL(settings.siteUrl).origin;
    let key: EncryptedValue | null = null;
    if (apiKey) key = encrypt(apiKey, ZULIP_API_KEY_AAD, ['notifications', 'zulip', 'apiKey']);
    else if (sameSite) key = keep(stored.apiKey, ZULIP_API_KEY_AAD);
    else if (stored?.apiKey && settings.enabled) {
      issues.push({ path: ['notifications', 'zulip', 'apiKey'], message: 'Enter the API key again when the Zulip site changes' });
    }
    zulip = { ...settings, apiKey: key };
  }

  let webhook: StufConfig['notifications']['webhook'] = null;
  if (notifications.webhook) {
    const { secret, secretSet: _secretSet, ...settings } = notifications.webhook;
    const stored = current.notifications.webhook?.secret ?? null;
    webhook = { ...settings, secret: secret ? encrypt(secret, WEBHOOK_SECRET_AAD, ['notifications', 'webhook', 'secret']) : keep(stored, WEBHOOK_SECRET_AAD) };
  }

  // Keys this version does not know (written by a newer replica) survive an edit made through this one.
  const { schemaVersion: _v, revision: _r, ...currentBody } = current;
  const value = { ...currentBody, ...rest, uploads: { ...current.uploads, ...rest.uploads }, notifications: { ...current.notifications, zulip, webhook } };
  return { value, issues };
}

/**
 * The settings with every secret under the keyring's newest key, and how many had to move (0: `config` unchanged).
 * This is key rotation for stuf_config.json (`rotateEncryptionKey` ends with it).
 */
export function reencryptStufConfigSecrets(config: StufConfig, keyring: Keyring): { value: StufConfig; moved: number } {
  const { zulip, webhook } = config.notifications;
  const stale = (value: EncryptedValue | null | undefined): value is EncryptedValue => !!value && value.kid !== keyring.currentKeyId;
  let moved = 0;
  const notifications = { ...config.notifications };
  if (zulip && stale(zulip.apiKey)) {
    notifications.zulip = { ...zulip, apiKey: keyring.reencrypt(zulip.apiKey, ZULIP_API_KEY_AAD) };
    moved++;
  }
  if (webhook && stale(webhook.secret)) {
    notifications.webhook = { ...webhook, secret: keyring.reencrypt(webhook.secret, WEBHOOK_SECRET_AAD) };
    moved++;
  }
  return { value: moved === 0 ? config : { ...config, notifications }, moved };
}

/** The document as the API shows it: secrets replaced by whether they are set. */
export function redactStufConfig(config: StufConfig): Record<string, unknown> {
  const { zulip, webhook } = config.notifications;
  const withoutZulipKey = zulip && (({ apiKey, ...settings }) => ({ ...settings, apiKeySet: apiKey !== null }))(zulip);
  const withoutWebhookSecret = webhook && (({ secret, ...settings }) => ({ ...settings, secretSet: secret !== null }))(webhook);
  return { ...config, notifications: { ...config.notifications, zulip: withoutZulipKey, webhook: withoutWebhookSecret } };
}

/** The Zulip bot's API key in plain text (throws `DecryptionError` when the keyring cannot open it). */
export function decryptZulipApiKey(value: EncryptedValue, box: Keyring): string {
  return box.decrypt(value, ZULIP_API_KEY_AAD);
}

/** The webhook signing secret in plain text. */
export function decryptWebhookSecret(value: EncryptedValue, box: Keyring): string {
  return box.decrypt(value, WEBHOOK_SECRET_AAD);
}
