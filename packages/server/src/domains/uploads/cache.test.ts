import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadEnv } from '../../env.js';
import { createLogger } from '../../logger.js';
import { createServices, type Services } from '../../services.js';
import type { StorageDriver } from '../../storage/driver.js';
import { createFsDriver } from '../../storage/fs-driver.js';
import { UPLOADS_CACHE_KEY, UPLOADS_PREFIX } from '../../storage/keys.js';
import type { IncomingFile } from '../../builder.js';

const env = loadEnv({ STUF_ADMIN_TOKEN: 'cache-test-token-0123456789' });
const logger = createLogger('silent');
const actor = { id: 'tester', kind: 'system' as const };

const file = (name: string, content: string): Promise<IncomingFile> =>
  Promise.resolve({ filename: name, mimetype: 'text/plain', encoding: '7bit', createReadStream: () => Readable.from([Buffer.from(content)]) as never });

/** A replica whose listing of uploads/ pauses after its last item until `release()` — to force a race deterministically. */
function pausingListDriver(inner: StorageDriver) {
  let paused: (() => void) | undefined;
  let reached: () => void = () => undefined;
  const listReachedEnd = new Promise<void>((resolve) => (reached = resolve));
  const gate = new Promise<void>((resolve) => (paused = resolve));
  const driver: StorageDriver = {
    name: inner.name,
    get: (key, options) => inner.get(key, options),
    head: (key) => inner.head(key),
    put: (key, body, options) => inner.put(key, body, options),
    delete: (key, options) => inner.delete(key, options),
    async *list(prefix: string, options?: { startAfter?: string }) {
      yield* inner.list(prefix, options);
      if (prefix === UPLOADS_PREFIX && paused) {
        reached();
        await gate;
        paused = undefined;
      }
    },
  };
  return { driver, listReachedEnd, release: () => paused?.() };
}

describe('uploads.json regeneration with concurrent uploads', () => {
  let root: string;
  let writer: Services;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'stuf-cache-'));
    writer = (await createServices({ env, driver: await createFsDriver(root), logger, publicUrl: () => 'http://x' })).services;
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('never leaves a cache that misses an upload committed while it was being rebuilt', async () => {
    const first = await writer.uploads.create({ actor, files: [file('first.txt', '1')], metadata: {} });
    const pausing = pausingListDriver(await createFsDriver(root));
    const reader = (await createServices({ env, driver: pausing.driver, logger, publicUrl: () => 'http://x' })).services;

    const listing = reader.uploads.cache.all();
    await pausing.listReachedEnd; // the reader has scanned: it saw only `first`
    const second = await writer.uploads.create({ actor, files: [file('second.txt', '2')], metadata: {} });
    pausing.release(); // now it writes the cache it built, which lacks `second`

    expect((await listing).map((upload) => upload.id)).toEqual([second.id, first.id]);
    const stored = await writer.uploads.cache.all();
    expect(stored.map((upload) => upload.id)).toEqual([second.id, first.id]);
  });

  it('rebuilds the same bytes from the same per-item files', async () => {
    await writer.uploads.create({ actor, files: [file('a.txt', 'a')], metadata: { collection: 'x' } });
    await writer.uploads.create({ actor, files: [file('b.txt', 'b')], metadata: {} });
    const driver = await createFsDriver(root);
    await writer.uploads.cache.all();
    const read = async () => {
      const object = await driver.get(UPLOADS_CACHE_KEY);
      return object.notModified ? '' : text(object.body);
    };
    const before = await read();
    await driver.delete(UPLOADS_CACHE_KEY);
    await writer.uploads.cache.all();
    expect(await read()).toBe(before);
  });

  it('lists every upload after many concurrent uploads and rebuilds from two replicas', async () => {
    const other = (await createServices({ env, driver: await createFsDriver(root), logger, publicUrl: () => 'http://x' })).services;
    const created = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const services = i % 2 === 0 ? writer : other;
        const upload = await services.uploads.create({ actor, files: [file(`f${i}.txt`, String(i))], metadata: {} });
        await (i % 2 === 0 ? other : writer).uploads.cache.all();
        return upload.id;
      }),
    );
    const listed = (await other.uploads.cache.all()).map((upload) => upload.id);
    expect([...listed].sort()).toEqual([...created].sort());
  });
});
