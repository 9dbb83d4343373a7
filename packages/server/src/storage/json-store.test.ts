import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { CorruptDocumentError, NotFoundError, PreconditionFailedError } from './errors.js';
import { createFsDriver, type FsDriver } from './fs-driver.js';
import { JsonStore } from './json-store.js';
import { VersionMemo } from './version-memo.js';

const Doc = z.object({ schemaVersion: z.literal(1), name: z.string() });

describe('JsonStore', () => {
  let root: string;
  let driver: FsDriver;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'stuf-json-'));
    driver = await createFsDriver(root);
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes pretty JSON with a trailing newline', async () => {
    await new JsonStore(driver).write('doc.json', { schemaVersion: 1, name: 'a' });
    const result = await driver.get('doc.json');
    if (result.notModified) throw new Error('unexpected');
    let text = '';
    for await (const chunk of result.body) text += String(chunk);
    expect(text).toBe('{\n  "schemaVersion": 1,\n  "name": "a"\n}\n');
  });

  it('reads back what it wrote, with the ETag of the write', async () => {
    const store = new JsonStore(driver);
    const { etag } = await store.write('doc.json', { schemaVersion: 1, name: 'a' });
    expect(await store.read('doc.json', Doc)).toEqual({ value: { schemaVersion: 1, name: 'a' }, etag });
  });

  it('read of a missing document throws NotFoundError', async () => {
    await expect(new JsonStore(driver).read('missing.json', Doc)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('readIfExists of a missing document answers undefined', async () => {
    expect(await new JsonStore(driver).readIfExists('missing.json', Doc)).toBeUndefined();
  });

  it('a document that is not JSON throws CorruptDocumentError and is reported with its key', async () => {
    const onCorrupt = vi.fn();
    await writeFile(join(root, 'doc.json'), '{"schemaVersion": 1, "na');
    const store = new JsonStore(driver, { onCorrupt });
    await expect(store.read('doc.json', Doc)).rejects.toMatchObject({ code: 'CORRUPT_DOCUMENT', key: 'doc.json' });
    expect(onCorrupt).toHaveBeenCalledWith('doc.json', expect.any(CorruptDocumentError));
  });

  it('a document that does not match its schema throws CorruptDocumentError', async () => {
    await writeFile(join(root, 'doc.json'), '{"schemaVersion": 2}');
    await expect(new JsonStore(driver).read('doc.json', Doc)).rejects.toBeInstanceOf(CorruptDocumentError);
  });

  it('a corrupt document names the version that is corrupt, so a conditional read can skip it until it changes', async () => {
    await writeFile(join(root, 'doc.json'), 'not json');
    const { etag } = await driver.head('doc.json');
    const store = new JsonStore(driver);
    await expect(store.readIfChanged('doc.json', Doc, undefined)).rejects.toMatchObject({ etag, reason: 'not valid JSON' });
    expect(await store.readIfChanged('doc.json', Doc, etag)).toEqual({ notModified: true, etag });
  });

  it('an empty file is corrupt, never an empty document', async () => {
    await writeFile(join(root, 'doc.json'), '');
    await expect(new JsonStore(driver).readIfExists('doc.json', Doc)).rejects.toBeInstanceOf(CorruptDocumentError);
  });

  it('update of a corrupt document throws CorruptDocumentError and leaves the file alone', async () => {
    await writeFile(join(root, 'doc.json'), 'not json');
    const change = vi.fn((doc: z.infer<typeof Doc>) => doc);
    const store = new JsonStore(driver);
    await expect(store.update('doc.json', Doc, change, { createIfMissing: () => ({ schemaVersion: 1 as const, name: 'x' }) }))
      .rejects.toBeInstanceOf(CorruptDocumentError);
    expect(change).not.toHaveBeenCalled();
  });

  it('readIfChanged answers not-modified for the current ETag and the value for an old one', async () => {
    const store = new JsonStore(driver);
    const { etag: old } = await store.write('doc.json', { schemaVersion: 1, name: 'a' });
    const { etag: current } = await store.write('doc.json', { schemaVersion: 1, name: 'b' });
    expect(await store.readIfChanged('doc.json', Doc, current)).toEqual({ notModified: true, etag: current });
    expect(await store.readIfChanged('doc.json', Doc, old)).toEqual({
      notModified: false,
      value: { schemaVersion: 1, name: 'b' },
      etag: current,
    });
  });

  it('create of an existing document throws PreconditionFailedError', async () => {
    const store = new JsonStore(driver);
    await store.create('doc.json', { schemaVersion: 1, name: 'a' });
    await expect(store.create('doc.json', { schemaVersion: 1, name: 'b' })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
  });

  it('update of a missing document without createIfMissing throws NotFoundError', async () => {
    await expect(new JsonStore(driver).update('missing.json', Doc, (doc) => doc)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('update with createIfMissing applies the change to the initial value', async () => {
    const store = new JsonStore(driver);
    const result = await store.update('doc.json', Doc, (doc) => ({ ...doc, name: `${doc.name}!` }), {
      createIfMissing: () => ({ schemaVersion: 1, name: 'new' }),
    });
    expect(result.value).toEqual({ schemaVersion: 1, name: 'new!' });
    expect(await store.read('doc.json', Doc)).toEqual(result);
  });

  it('update gives up with PreconditionFailedError after maxRetries lost races', async () => {
    const store = new JsonStore(driver, { maxRetries: 2, baseDelayMs: 1 });
    await store.write('doc.json', { schemaVersion: 1, name: 'a' });
    let calls = 0;
    // Every change is overtaken by another writer before update gets to write.
    const change = async (doc: z.infer<typeof Doc>) => {
      calls++;
      await driver.put('doc.json', JSON.stringify({ schemaVersion: 1, name: `rival ${calls}` }));
      return { ...doc, name: 'mine' };
    };
    await expect(store.update('doc.json', Doc, change)).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(calls).toBe(3);
  });

  describe('update with a VersionMemo', () => {
    type Counted = { name: string; count: number };
    const Counter = z.object({ name: z.string(), count: z.number() });
    const increment = (doc: Counted) => ({ ...doc, count: doc.count + 1 });

    it('starts from the remembered version: one conditional write, no read', async () => {
      const store = new JsonStore(driver);
      const memo = new VersionMemo<Counted>(10);
      await store.update('doc.json', Counter, increment, { memo, createIfMissing: () => ({ name: 'a', count: 0 }) });
      const get = vi.spyOn(driver, 'get');
      const put = vi.spyOn(driver, 'put');
      const result = await store.update('doc.json', Counter, increment, { memo });
      expect(result.value.count).toBe(2);
      expect(get).not.toHaveBeenCalled();
      expect(put).toHaveBeenCalledOnce();
      expect(await store.read('doc.json', Counter)).toEqual(result);
    });

    it('a remembered version another writer replaced costs a re-read, never that writer\'s change', async () => {
      const store = new JsonStore(driver, { baseDelayMs: 1 });
      const memo = new VersionMemo<Counted>(10);
      await store.update('doc.json', Counter, increment, { memo, createIfMissing: () => ({ name: 'a', count: 0 }) });
      await store.update('doc.json', Counter, (doc) => ({ ...doc, name: 'renamed elsewhere' })); // not through the memo
      const result = await store.update('doc.json', Counter, increment, { memo });
      expect(result.value).toEqual({ name: 'renamed elsewhere', count: 2 });
      expect(await store.read('doc.json', Counter)).toEqual(result);
      expect(memo.get('doc.json')).toEqual(result);
    });

    it('a change that refuses a stale remembered version is asked again with the stored one', async () => {
      const store = new JsonStore(driver);
      const memo = new VersionMemo<Counted>(10);
      await store.update('doc.json', Counter, increment, { memo, createIfMissing: () => ({ name: 'a', count: 0 }) });
      await store.update('doc.json', Counter, increment); // count 2, written past the memo
      const seen: number[] = [];
      const result = await store.update(
        'doc.json',
        Counter,
        (doc) => {
          seen.push(doc.count);
          if (doc.count !== 2) throw new Error(`expected count 2, found ${doc.count}`);
          return increment(doc);
        },
        { memo },
      );
      expect(seen).toEqual([1, 2]);
      expect(result.value.count).toBe(3);
    });

    it('a change that refuses the stored version fails the update', async () => {
      const store = new JsonStore(driver);
      const memo = new VersionMemo<Counted>(10);
      await store.update('doc.json', Counter, increment, { memo, createIfMissing: () => ({ name: 'a', count: 0 }) });
      const refuse = () => {
        throw new Error('refused');
      };
      await expect(store.update('doc.json', Counter, refuse, { memo })).rejects.toThrow('refused');
      expect((await store.read('doc.json', Counter)).value.count).toBe(1);
    });

    it('a remembered document deleted meanwhile is NotFoundError and is forgotten', async () => {
      const store = new JsonStore(driver);
      const memo = new VersionMemo<Counted>(10);
      await store.update('doc.json', Counter, increment, { memo, createIfMissing: () => ({ name: 'a', count: 0 }) });
      await driver.delete('doc.json');
      await expect(store.update('doc.json', Counter, increment, { memo })).rejects.toBeInstanceOf(NotFoundError);
      expect(memo.get('doc.json')).toBeUndefined();
    });
  });
});
