/**
 * Child process of the cross-process conformance tests. Builds a driver from `{ module, exportName, args }`, prints
 * `ready`, waits for `go` on stdin (so every child starts racing at the same moment), fires `count` concurrent
 * operations on `key` — create-only puts, or JsonStore.update increments of `{ count }` — and prints one JSON line:
 * `{ ok, byCode }`. Run: node --import tsx conformance-child.ts '<json spec>'
 */
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { StorageDriver } from '../driver.js';
import { JsonStore } from '../json-store.js';
import { tally } from './helpers.js';

export interface ChildSpec {
  module: string;
  exportName: string;
  args: unknown;
  key: string;
  count: number;
  operation: 'create-only-put' | 'increment';
}

const Counter = z.object({ count: z.number().int() });

const spec = JSON.parse(process.argv[2] ?? '') as ChildSpec;
const imported = (await import(pathToFileURL(spec.module).href)) as Record<string, unknown>;
const factory = imported[spec.exportName] as (args: unknown) => Promise<StorageDriver>;
const driver = await factory(spec.args);

const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
for await (const line of lines) if (line.trim() === 'go') break;
lines.close();

const store = new JsonStore(driver, { maxRetries: 50 });
const operations = Array.from({ length: spec.count }, (_, index) =>
  spec.operation === 'increment'
    ? store.update(spec.key, Counter, (current) => ({ count: current.count + 1 }), {
        createIfMissing: () => ({ count: 0 }),
      })
    : driver.put(spec.key, `pid ${process.pid} put ${index}`, { ifNoneMatch: '*' }),
);
const result = await tally(operations);
await driver.close?.();
process.stdout.write(`${JSON.stringify(result)}\n`);
