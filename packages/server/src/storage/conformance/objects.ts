import { Readable } from 'node:stream';
import { expect, it } from 'vitest';
import { InvalidKeyError, NotFoundError } from '../errors.js';
import type { ConformanceContext } from './helpers.js';
import { failingStream, getBytes, listKeys, randomStream, readAll, sha256 } from './helpers.js';

/** Keys that must be refused by every operation of every driver. */
export const INVALID_KEYS = ['../x', 'a/../b', '/abs', 'a//b', 'a\\b', 'a\u0000b', '', './a', 'a/', '../../users.json'];

/** Keys with characters that break naive URL or path handling; each must round-trip through put, get and list. */
export const AWKWARD_NAMES = [
  'with space.txt',
  'plus+sign.txt',
  'percent%20encoded.txt',
  'hash#fragment.txt',
  'question?mark.txt',
  "rapport d'été №2.pdf",
  'emoji 📦🚀.bin',
  '日本語/ファイル.txt',
  'ampersand&equals=.txt',
];

/** Basic object behaviour: bytes in, bytes out, metadata, ETags, key validation. */
export function objectTests(context: () => ConformanceContext): void {
  it('round-trips bytes through put and get', async () => {
    const { driver, prefix } = context();
    const key = `${prefix()}bytes.bin`;
    const bytes = Uint8Array.from([0, 1, 2, 255, 254, 10, 13]);
    await driver.put(key, bytes);
    expect(await getBytes(driver, key)).toEqual(Buffer.from(bytes));
  });

  it('round-trips a string body as UTF-8', async () => {
    const { driver, prefix } = context();
    const key = `${prefix()}text.txt`;
    await driver.put(key, 'héllo wörld\n');
    expect((await getBytes(driver, key)).toString('utf8')).toBe('héllo wörld\n');
  });

  it('round-trips a multi-megabyte stream byte for byte (SHA-256)', async () => {
    const { driver, prefix } = context();
    const key = `${prefix()}big.bin`;
    const size = 8 * 1024 * 1024 + 123;
    const { stream, sha256: expected } = randomStream(size);
    await driver.put(key, stream);
    const result = await driver.get(key);
    if (result.notModified) throw new Error('unexpected not-modified');
    expect(result.size).toBe(size);
    expect(sha256(await readAll(result.body))).toBe(await expected);
  });

  it('reports the same size and ETag from put, head, get and list', async () => {
    const { driver, prefix } = context();
    const base = prefix();
    const key = `${base}meta.txt`;
    const { etag } = await driver.put(key, Readable.from([Buffer.from('12345')]));
    const head = await driver.head(key);
    const got = await driver.get(key);
    const listed = [];
    for await (const info of driver.list(base)) listed.push(info);
    expect(head).toMatchObject({ key, etag, size: 5 });
    expect(head.lastModified).toBeInstanceOf(Date);
    expect(got).toMatchObject({ notModified: false, key, etag, size: 5 });
    if (!got.notModified) got.body.destroy();
    expect(listed).toEqual([expect.objectContaining({ key, etag, size: 5 })]);
  });

  it('get of a missing key throws NotFoundError', async () => {
    const { driver, prefix } = context();
    await expect(driver.get(`${prefix()}missing`)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('head of a missing key throws NotFoundError', async () => {
    const { driver, prefix } = context();
    await expect(driver.head(`${prefix()}missing`)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('gives a new ETag to every write, even of identical bytes', async () => {
    const { driver, prefix } = context();
    const key = `${prefix()}same.txt`;
    const first = await driver.put(key, 'same bytes');
    const second = await driver.put(key, 'same bytes');
    const third = await driver.put(key, 'same bytes');
    expect(new Set([first.etag, second.etag, third.etag]).size).toBe(3);
    expect((await driver.head(key)).etag).toBe(third.etag);
  });

  it('overwrites an existing object with an unconditional put', async () => {
    const { driver, prefix } = context();
    const key = `${prefix()}doc.txt`;
    await driver.put(key, 'old');
    await driver.put(key, 'new');
    expect((await getBytes(driver, key)).toString()).toBe('new');
  });

  it('round-trips keys with spaces, +, %, #, ?, accents and emoji through put, get and list', async () => {
    const { driver, prefix } = context();
    const base = prefix();
    for (const name of AWKWARD_NAMES) await driver.put(`${base}${name}`, `content of ${name}`);
    for (const name of AWKWARD_NAMES) {
      expect((await getBytes(driver, `${base}${name}`)).toString()).toBe(`content of ${name}`);
    }
    const expected = AWKWARD_NAMES.map((name) => `${base}${name}`).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(await listKeys(driver, base)).toEqual(expected);
  });

  it.each([
    ['get', (c: ConformanceContext, key: string) => c.driver.get(key)],
    ['head', (c: ConformanceContext, key: string) => c.driver.head(key)],
    ['put', (c: ConformanceContext, key: string) => c.driver.put(key, 'x')],
    ['create-only put', (c: ConformanceContext, key: string) => c.driver.put(key, 'x', { ifNoneMatch: '*' })],
    ['delete', (c: ConformanceContext, key: string) => c.driver.delete(key)],
    // A prefix may be empty or end with '/', so `${key}/` keeps every invalid key invalid as a prefix.
    ['list', (c: ConformanceContext, key: string) => listKeys(c.driver, `${key}/`)],
  ] as const)('%s rejects invalid keys with InvalidKeyError', async (_name, operation) => {
    for (const key of INVALID_KEYS) {
      await expect(Promise.resolve().then((): Promise<unknown> => operation(context(), key)), JSON.stringify(key)).rejects.toBeInstanceOf(
        InvalidKeyError,
      );
    }
  });

  it('a body stream that fails midway rejects the put and leaves no object', async () => {
    const { driver, prefix } = context();
    const base = prefix();
    const key = `${base}broken.bin`;
    const failure = new Error('client went away');
    await expect(driver.put(key, failingStream(1024 * 1024, failure))).rejects.toThrow('client went away');
    await expect(driver.head(key)).rejects.toBeInstanceOf(NotFoundError);
    expect(await listKeys(driver, base)).toEqual([]);
  });

  it('a body stream that fails midway leaves the previous version intact', async () => {
    const { driver, prefix } = context();
    const key = `${prefix()}kept.txt`;
    const { etag } = await driver.put(key, 'previous');
    await expect(driver.put(key, failingStream(256 * 1024, new Error('boom')))).rejects.toThrow('boom');
    expect((await driver.head(key)).etag).toBe(etag);
    expect((await getBytes(driver, key)).toString()).toBe('previous');
  });
}
