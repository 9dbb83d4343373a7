import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKey, Keyring } from '../../crypto/keyring.js';
import { createFsDriver } from '../../storage/fs-driver.js';
import { JsonStore } from '../../storage/json-store.js';
import { STUF_CONFIG_KEY } from '../../storage/keys.js';
import { JournalService } from '../journal/service.js';
import { stufConfigSchema } from './documents.js';
import { decryptWebhookSecret, decryptZulipApiKey, redactStufConfig } from './secrets.js';
import { ConfigService } from './service.js';

const ADMIN = { id: 'admin', kind: 'admin-token' } as const;
const k1 = generateKey('k1');
const k2 = generateKey('k2');
const NOTIFICATIONS = {
  zulip: { siteUrl: 'https://chat.example.org', botEmail: 'bot@example.org', apiKey: 'the-api-key', stream: 's', topic: 't' },
  webhook: { url: 'https://hooks.example.org/x', secret: 'the-webhook-secret' },
};

describe('config secrets and key rotation', () => {
  let root: string;
  let store: JsonStore;
  const serviceWith = (keyring: Keyring) => new ConfigService(store, { journal: new JournalService(store.driver, store), secrets: keyring, refreshMs: 60_000 });
  const stored = async () => (await store.read(STUF_CONFIG_KEY, stufConfigSchema)).value;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'stuf-config-secrets-'));
    store = new JsonStore(await createFsDriver(root));
    const service = serviceWith(new Keyring([k1]));
    await service.ensureDefaults();
    await service.updateStufConfig(ADMIN, 1, { ...(await service.stufConfig()), notifications: NOTIFICATIONS });
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('binds each secret to its setting: a ciphertext copied to the other setting does not decrypt', async () => {
    const { notifications } = await stored();
    const keyring = new Keyring([k1]);
    expect(decryptZulipApiKey(notifications.zulip!.apiKey!, keyring)).toBe('the-api-key');
    expect(() => decryptWebhookSecret(notifications.zulip!.apiKey!, keyring)).toThrow(/does not authenticate/);
  });

  it('moves both secrets to the newest key as one published change, and then has nothing left to move', async () => {
    const rotated = new Keyring([k2, k1]);
    const service = serviceWith(rotated);
    expect(await service.reencryptSecrets(ADMIN)).toBe(2);
    const { notifications, revision } = await stored();
    expect([notifications.zulip!.apiKey!.kid, notifications.webhook!.secret!.kid]).toEqual(['k2', 'k2']);
    expect(revision).toBe(3);
    // Only the new key is needed from now on.
    expect(decryptZulipApiKey(notifications.zulip!.apiKey!, new Keyring([k2]))).toBe('the-api-key');
    expect(await service.reencryptSecrets(ADMIN)).toBe(0);
    expect((await stored()).revision).toBe(3);
  });

  it('moves kept secrets to the newest key whenever the settings are published', async () => {
    const service = serviceWith(new Keyring([k2, k1]));
    // As an admin does: the settings as read through the API (secrets only as apiKeySet / secretSet), edited.
    await service.updateStufConfig(ADMIN, 2, { ...redactStufConfig(await stored()), description: 'edited' });
    const { notifications } = await stored();
    expect([notifications.zulip!.apiKey!.kid, notifications.webhook!.secret!.kid]).toEqual(['k2', 'k2']);
  });
});
