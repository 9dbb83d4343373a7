import { expect, it } from 'vitest';
import { z } from 'zod';
import { JsonStore } from '../json-store.js';
import type { ConformanceContext } from './helpers.js';
import { barrier, getBytes, tally } from './helpers.js';
import { raceInChildren } from './run-children.js';

/** How a separate OS process builds a driver on the same bucket: `(await import(module))[exportName](args)`. */
export interface ChildDriverRecipe {
  /** Absolute path of a `.ts` module (run through tsx). */
  module: string;
  exportName: string;
  /** JSON-serializable argument for the factory. */
  args: unknown;
}

const ListDocument = z.object({ items: z.array(z.string()) });
const CounterDocument = z.object({ count: z.number().int() });

/** Races: atomic create-only puts in one and in two processes, and JsonStore.update never losing a change. */
export function concurrencyTests(context: () => ConformanceContext, child: () => ChildDriverRecipe): void {
  it('64 concurrent create-only puts to one key in one process: exactly one succeeds', async () => {
    const { driver, prefix } = context();
    const key = `${prefix()}contended.txt`;
    const puts = Array.from({ length: 64 }, (_, index) => driver.put(key, `writer ${index}`, { ifNoneMatch: '*' }));
    const { ok, byCode } = await tally(puts);
    expect({ ok, byCode }).toEqual({ ok: 1, byCode: { PRECONDITION_FAILED: 63 } });
    expect((await getBytes(driver, key)).toString()).toMatch(/^writer \d+$/);
  });

  it('32 + 32 create-only puts to one key from two OS processes: exactly one succeeds overall', async () => {
    const { driver, prefix } = context();
    const key = `${prefix()}contended.txt`;
    const results = await raceInChildren([
      { ...child(), key, count: 32, operation: 'create-only-put' },
      { ...child(), key, count: 32, operation: 'create-only-put' },
    ]);
    const ok = results.reduce((sum, result) => sum + result.ok, 0);
    const failed = results.reduce((sum, result) => sum + (result.byCode.PRECONDITION_FAILED ?? 0), 0);
    expect({ ok, failed }).toEqual({ ok: 1, failed: 63 });
    expect((await getBytes(driver, key)).toString()).toMatch(/^pid \d+ put \d+$/);
  });

  it('JsonStore.update: 10 + 10 increments of one counter from two OS processes all land', async () => {
    const { driver, prefix } = context();
    const key = `${prefix()}counter.json`;
    const results = await raceInChildren([
      { ...child(), key, count: 10, operation: 'increment' },
      { ...child(), key, count: 10, operation: 'increment' },
    ]);
    expect(results.map((result) => result.ok)).toEqual([10, 10]);
    expect((await new JsonStore(driver).read(key, CounterDocument)).value).toEqual({ count: 20 });
  });

  it('JsonStore.update: two updaters that read the same ETag both get their change in', async () => {
    const { driver, prefix } = context();
    const key = `${prefix()}list.json`;
    const store = new JsonStore(driver);
    await store.create(key, { items: [] });
    const bothHaveRead = barrier(2);
    let changeCalls = 0;
    const append = (item: string) =>
      store.update(key, ListDocument, async (current) => {
        changeCalls++;
        await bothHaveRead(); // neither writes before both read the same version, so one must lose and retry
        return { items: [...current.items, item] };
      });
    await Promise.all([append('first'), append('second')]);
    const { value } = await store.read(key, ListDocument);
    expect([...value.items].sort()).toEqual(['first', 'second']);
    expect(changeCalls).toBe(3);
  });

  it('JsonStore.update: 20 concurrent increments of one counter all land', async () => {
    const { driver, prefix } = context();
    const key = `${prefix()}counter.json`;
    // A generous retry budget: this test is about never losing an update, not about the default bound.
    const store = new JsonStore(driver, { maxRetries: 50 });
    await Promise.all(
      Array.from({ length: 20 }, () =>
        store.update(key, CounterDocument, (current) => ({ count: current.count + 1 }), {
          createIfMissing: () => ({ count: 0 }),
        }),
      ),
    );
    expect((await store.read(key, CounterDocument)).value).toEqual({ count: 20 });
  });
}
