import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadEnv } from '../../env.js';
import { createLogger } from '../../logger.js';
import { createServices, type Services } from '../../services.js';
import { createFsDriver } from '../../storage/fs-driver.js';
import { USERS_CACHE_KEY } from '../../storage/keys.js';
import type { StorageDriver } from '../../storage/driver.js';
import { RateLimitedError } from '../auth/errors.js';

const logger = createLogger('silent');
const admin = { id: 'bootstrap-admin', kind: 'admin-token' as const };
const client = { ip: '127.0.0.1', userAgent: 'test' };
const person = (n: number) => ({ name: `P${n}`, email: `p${n}@example.org`, phone: `+4179000000${n}`, role: 'participant' as const, accessExpiresAt: null });

describe('users service', () => {
  let root: string;
  let outbox: string;
  let driver: StorageDriver;
  let services: Services;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'stuf-users-'));
    outbox = await mkdtemp(path.join(tmpdir(), 'stuf-outbox-'));
    driver = await createFsDriver(root);
    const env = loadEnv({ STUF_ADMIN_TOKEN: 'users-test-token-0123456789', STUF_OUTBOX_DIR: outbox });
    services = (await createServices({ env, driver, logger, publicUrl: () => 'http://x' })).services;
  });
  afterEach(async () => {
    await services.close();
    await rm(root, { recursive: true, force: true });
    await rm(outbox, { recursive: true, force: true });
  });

  it('loses no access event when many requests append at once', async () => {
    const user = await services.users.create(admin, person(1));
    await Promise.all(Array.from({ length: 20 }, (_, i) => services.users.recordAccess(user.id, [{ event: 'upload', uploadId: `u${i}`, ip: null, userAgent: null }])));
    const document = await services.users.document(user.id);
    expect(document!.activity.accessHistory.map((event) => event.uploadId).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `u${i}`).sort());
    expect(document!.revision).toBe(1);
  });

  it('keeps users.json correct after each write, without rebuilding it', async () => {
    const a = await services.users.create(admin, person(1));
    await services.users.update(admin, { id: a.id, revision: 1, name: 'Renamed' });
    const other = (await createServices({ env: loadEnv({ STUF_ADMIN_TOKEN: 'users-test-token-0123456789', STUF_OUTBOX_DIR: outbox }), driver, logger, publicUrl: () => 'x' })).services;
    expect((await other.users.get(a.id))?.name).toBe('Renamed');
    await services.users.delete(admin, { id: a.id });
    expect(await other.users.get(a.id)).toBeNull();
  });

  it('rebuilds the same users.json from the per-user files after it is deleted', async () => {
    await services.users.create(admin, person(1));
    await services.users.create(admin, person(2));
    const before = await services.users.cache.all();
    await driver.delete(USERS_CACHE_KEY);
    const fresh = (await createServices({ env: loadEnv({ STUF_ADMIN_TOKEN: 'users-test-token-0123456789', STUF_OUTBOX_DIR: outbox }), driver, logger, publicUrl: () => 'x' })).services;
    expect(await fresh.users.cache.all()).toEqual(before);
  });

  it('finds a user by email case-insensitively through the blind index', async () => {
    const a = await services.users.create(admin, person(1));
    expect((await services.users.directory()).byEmail('  P1@EXAMPLE.org ')?.id).toBe(a.id);
    expect((await services.users.directory()).byEmail('p2@example.org')).toBeUndefined();
  });

  it('rate-limits sign-in requests per email address, known or not', async () => {
    for (let i = 0; i < 5; i++) await services.signIn.requestSignIn('unknown@example.org', client);
    await expect(services.signIn.requestSignIn('unknown@example.org', client)).rejects.toBeInstanceOf(RateLimitedError);
  });
});

/** A replica whose listing of users/ pauses after its last item until `release()` — to force a race deterministically. */
function pausingUsersListing(inner: StorageDriver) {
  let release: (() => void) | undefined;
  let reached: () => void = () => undefined;
  const listReachedEnd = new Promise<void>((resolve) => (reached = resolve));
  const gate = new Promise<void>((resolve) => (release = resolve));
  let paused = false;
  const driver: StorageDriver = {
    name: inner.name,
    get: (key, options) => inner.get(key, options),
    head: (key) => inner.head(key),
    put: (key, body, options) => inner.put(key, body, options),
    delete: (key, options) => inner.delete(key, options),
    async *list(prefix: string, options?: { startAfter?: string }) {
      yield* inner.list(prefix, options);
      if (prefix === 'users/' && !paused) {
        paused = true;
        reached();
        await gate;
      }
    },
  };
  return { driver, listReachedEnd, release: () => release?.() };
}

describe('users.json regeneration with concurrent user writes', () => {
  it('never leaves a cache that misses a user created while it was being rebuilt', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'stuf-users-race-'));
    try {
      const env = loadEnv({ STUF_ADMIN_TOKEN: 'users-test-token-0123456789', STUF_OUTBOX_DIR: path.join(root, 'outbox') });
      const writer = (await createServices({ env, driver: await createFsDriver(root), logger, publicUrl: () => 'x' })).services;
      const first = await writer.users.create(admin, person(1));
      const pausing = pausingUsersListing(await createFsDriver(root));
      await pausing.driver.delete(USERS_CACHE_KEY);
      // The reader's start rebuilds users.json: its scan sees bootstrap-admin and `first`, then pauses.
      const reader = createServices({ env, driver: pausing.driver, logger, publicUrl: () => 'x' });
      await pausing.listReachedEnd;
      const second = await writer.users.create(admin, person(2)); // another replica writes a user meanwhile
      pausing.release(); // the reader's scan lacks `second`: the journal shows it, so the reader must not keep that scan
      const { services } = await reader;
      expect((await services.users.cache.all()).map((user) => user.id).sort()).toEqual(['bootstrap-admin', first.id, second.id].sort());
      expect((await writer.users.cache.all()).map((user) => user.id).sort()).toEqual(['bootstrap-admin', first.id, second.id].sort());
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
