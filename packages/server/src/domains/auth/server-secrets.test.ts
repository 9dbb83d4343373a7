import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKey } from '../../crypto/keyring.js';
import { createFsDriver } from '../../storage/fs-driver.js';
import { JsonStore } from '../../storage/json-store.js';
import { SERVER_SECRETS_KEY } from '../../storage/keys.js';
import { DEVELOPMENT_KEY_ID, loadServerSecrets } from './server-secrets.js';
import { hashToken } from './tokens.js';

describe('server secrets and the bootstrap admin token', () => {
  let root: string;
  let store: JsonStore;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'stuf-auth-'));
    store = new JsonStore(await createFsDriver(root));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('generates the admin token on first start, stores only its hash', async () => {
    const { generatedAdminToken, adminTokenSha256 } = await loadServerSecrets(store, {});
    expect(generatedAdminToken).toMatch(/^stuf_admin_/);
    const raw = await readFile(path.join(root, SERVER_SECRETS_KEY), 'utf8');
    expect(raw).not.toContain(generatedAdminToken!);
    expect(raw).toContain(hashToken(generatedAdminToken!));
    expect(adminTokenSha256).toBe(hashToken(generatedAdminToken!));
  });

  it('does not generate or show the token again on the next start', async () => {
    const first = await loadServerSecrets(store, {});
    const second = await loadServerSecrets(store, {});
    expect(second.generatedAdminToken).toBeUndefined();
    expect(second.adminTokenSha256).toBe(hashToken(first.generatedAdminToken!));
    expect(second.sessionKey.equals(first.sessionKey)).toBe(true);
  });

  it('generates the token exactly once when replicas start together', async () => {
    const starts = await Promise.all(Array.from({ length: 6 }, () => loadServerSecrets(store, {})));
    const shown = starts.flatMap((start) => (start.generatedAdminToken ? [start.generatedAdminToken] : []));
    expect(shown).toHaveLength(1);
    for (const start of starts) expect(start.adminTokenSha256).toBe(hashToken(shown[0]!));
    expect(new Set(starts.map((start) => start.keyring.currentKeyId))).toEqual(new Set([DEVELOPMENT_KEY_ID]));
  });

  it('takes the token from STUF_ADMIN_TOKEN when set, and then generates none', async () => {
    const { generatedAdminToken, adminTokenSha256 } = await loadServerSecrets(store, { adminToken: 'my-own-admin-token-123' });
    expect(generatedAdminToken).toBeUndefined();
    expect(adminTokenSha256).toBe(hashToken('my-own-admin-token-123'));
  });

  it('encrypts with STUF_ENCRYPTION_KEYS when set, and still decrypts what the development key encrypted', async () => {
    const development = await loadServerSecrets(store, {});
    const old = development.keyring.encrypt('ada@example.org', 'a');
    const configured = await loadServerSecrets(store, { encryptionKeys: [generateKey('prod-1')] });
    expect(configured.keyring.currentKeyId).toBe('prod-1');
    expect(configured.usesDevelopmentKey).toBe(false);
    expect(configured.keyring.decrypt(old, 'a')).toBe('ada@example.org');
  });

  it('keeps no development key when STUF_ENCRYPTION_KEYS is set from the start', async () => {
    const { keyring } = await loadServerSecrets(store, { encryptionKeys: [generateKey('prod-1')] });
    expect(keyring.keyIds).toEqual(['prod-1']);
  });

  it('records a configured STUF_ADMIN_TOKEN, so a replica started without it accepts that token and mints none', async () => {
    await loadServerSecrets(store, { adminToken: 'my-own-admin-token-123' });
    const replica = await loadServerSecrets(store, {});
    expect(replica.generatedAdminToken).toBeUndefined();
    expect(replica.adminTokenSha256).toBe(hashToken('my-own-admin-token-123'));
  });
});
