import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFsDriver } from '../../storage/fs-driver.js';
import { JsonStore } from '../../storage/json-store.js';
import { SERVER_SECRETS_KEY } from '../../storage/keys.js';
import { AuthService } from './service.js';
import { hashToken } from './tokens.js';

describe('bootstrap admin token', () => {
  let root: string;
  let store: JsonStore;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'stuf-auth-'));
    store = new JsonStore(await createFsDriver(root));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('is generated on first start, stored only as a hash, and accepted afterwards', async () => {
    const { auth, generatedAdminToken } = await AuthService.start(store, {});
    expect(generatedAdminToken).toMatch(/^stuf_admin_/);
    const raw = await readFile(path.join(root, SERVER_SECRETS_KEY), 'utf8');
    expect(raw).not.toContain(generatedAdminToken!);
    expect(raw).toContain(hashToken(generatedAdminToken!));
    expect(auth.authenticate(`Bearer ${generatedAdminToken}`).kind).toBe('authenticated');
  });

  it('is not generated or shown again on the next start', async () => {
    const first = await AuthService.start(store, {});
    const second = await AuthService.start(store, {});
    expect(second.generatedAdminToken).toBeUndefined();
    expect(second.auth.authenticate(`Bearer ${first.generatedAdminToken}`).kind).toBe('authenticated');
  });

  it('is generated exactly once when replicas start together', async () => {
    const starts = await Promise.all(Array.from({ length: 6 }, () => AuthService.start(store, {})));
    const shown = starts.flatMap((start) => (start.generatedAdminToken ? [start.generatedAdminToken] : []));
    expect(shown).toHaveLength(1);
    for (const start of starts) expect(start.auth.authenticate(`Bearer ${shown[0]}`).kind).toBe('authenticated');
  });

  it('comes from STUF_ADMIN_TOKEN when set, and then nothing is generated', async () => {
    const { auth, generatedAdminToken } = await AuthService.start(store, { adminToken: 'my-own-admin-token-123' });
    expect(generatedAdminToken).toBeUndefined();
    expect(auth.authenticate('Bearer my-own-admin-token-123').kind).toBe('authenticated');
  });

  it('tells a wrong or malformed token from no token', async () => {
    const { auth } = await AuthService.start(store, { adminToken: 'my-own-admin-token-123' });
    expect(auth.authenticate(undefined).kind).toBe('anonymous');
    expect(auth.authenticate('Bearer nope-nope-nope').kind).toBe('rejected');
    expect(auth.authenticate('Basic abc').kind).toBe('rejected');
  });
});
