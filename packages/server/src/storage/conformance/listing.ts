import { expect, it } from 'vitest';
import type { ConformanceContext } from './helpers.js';
import { listKeys, mapLimit } from './helpers.js';

/**
 * Keys in the order S3 lists them: by UTF-8 bytes. `-` (2D) < `/` (2F) < `0` (30) catches walkers that list a folder
 * before its siblings, and `Ａ` (U+FF21, EF BC A1) < `😀` (F0 9F …) catches JS string comparison (UTF-16 puts the
 * emoji's surrogates D83D first). No key is also a "folder" of another, which a filesystem could not store.
 */
const ORDERED_NAMES = ['a-c.txt', 'a/b.txt', 'a/c/d.txt', 'a0.txt', 'b.txt', 'z.txt', 'é.txt', 'Ａ.txt', '😀.txt'];

async function putAll(context: ConformanceContext, base: string, names: readonly string[]): Promise<void> {
  await mapLimit(names, 8, (name) => context.driver.put(`${base}${name}`, name));
}

/** Listing: order, prefixes, startAfter, paging past 1,000. */
export function listingTests(context: () => ConformanceContext): void {
  it('lists keys in UTF-8 byte order, descending into sub-folders', async () => {
    const base = context().prefix();
    await putAll(context(), base, [...ORDERED_NAMES].reverse());
    expect(await listKeys(context().driver, base)).toEqual(ORDERED_NAMES.map((name) => `${base}${name}`));
  });

  it('lists only keys under a prefix that ends with a slash', async () => {
    const base = context().prefix();
    await putAll(context(), base, ORDERED_NAMES);
    expect(await listKeys(context().driver, `${base}a/`)).toEqual([`${base}a/b.txt`, `${base}a/c/d.txt`]);
  });

  it('lists keys under a prefix that ends in the middle of a name', async () => {
    const base = context().prefix();
    await putAll(context(), base, ORDERED_NAMES);
    const expected = ['a-c.txt', 'a/b.txt', 'a/c/d.txt', 'a0.txt'].map((name) => `${base}${name}`);
    expect(await listKeys(context().driver, `${base}a`)).toEqual(expected);
  });

  it('startAfter an existing key lists only the keys after it', async () => {
    const base = context().prefix();
    await putAll(context(), base, ORDERED_NAMES);
    const keys = await listKeys(context().driver, base, `${base}a/b.txt`);
    expect(keys).toEqual(ORDERED_NAMES.slice(2).map((name) => `${base}${name}`));
  });

  it('startAfter a key that does not exist lists the keys that sort after it', async () => {
    const base = context().prefix();
    await putAll(context(), base, ORDERED_NAMES);
    expect(await listKeys(context().driver, base, `${base}a/`)).toEqual(
      ORDERED_NAMES.slice(1).map((name) => `${base}${name}`),
    );
    expect(await listKeys(context().driver, base, `${base}a0`)).toEqual(
      ORDERED_NAMES.slice(3).map((name) => `${base}${name}`),
    );
  });

  it('lists nothing for a prefix without objects', async () => {
    const base = context().prefix();
    expect(await listKeys(context().driver, base)).toEqual([]);
  });

  it('does not list a deleted key', async () => {
    const base = context().prefix();
    await putAll(context(), base, ['keep.txt', 'sub/drop.txt']);
    await context().driver.delete(`${base}sub/drop.txt`);
    expect(await listKeys(context().driver, base)).toEqual([`${base}keep.txt`]);
  });

  it('an empty prefix lists the whole bucket, including these keys, and can be stopped early', async () => {
    const base = context().prefix();
    await putAll(context(), base, ['one.txt', 'two.txt']);
    const seen: string[] = [];
    for await (const info of context().driver.list('')) {
      if (info.key.startsWith(base)) seen.push(info.key);
      else if (seen.length > 0) break; // past our prefix: the rest of a shared bucket does not matter
    }
    expect(seen).toEqual([`${base}one.txt`, `${base}two.txt`]);
  });

  it('lists all of 2,500 keys, in order, without stopping at a page boundary', async () => {
    const base = context().prefix();
    const names = Array.from({ length: 2_500 }, (_, index) => `k${String(index).padStart(5, '0')}`);
    await mapLimit(names, 32, (name) => context().driver.put(`${base}${name}`, name));
    expect(await listKeys(context().driver, base)).toEqual(names.map((name) => `${base}${name}`));
  });
}
