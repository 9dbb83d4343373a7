import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { StorageDriver } from '../driver.js';

/** Everything a conformance test needs: the driver under test and a fresh key prefix of its own. */
export interface ConformanceContext {
  driver: StorageDriver;
  /** A prefix no other test (or earlier run on a shared bucket) uses, ending with `/`. */
  prefix(): string;
}

/** Every key `list` yields for `prefix`; an async function, so a synchronous throw from `list` also rejects. */
export async function listKeys(driver: StorageDriver, prefix: string, startAfter?: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of driver.list(prefix, startAfter === undefined ? {} : { startAfter })) keys.push(info.key);
  return keys;
}

/** Reads a stream to one buffer. */
export async function readAll(body: AsyncIterable<Uint8Array | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** The body of `key` as a buffer (fails the test when the driver answers not-modified). */
export async function getBytes(driver: StorageDriver, key: string): Promise<Buffer> {
  const result = await driver.get(key);
  if (result.notModified) throw new Error(`unexpected not-modified for ${key}`);
  return readAll(result.body);
}

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A stream of `totalBytes` random bytes in 64 KiB chunks, plus the SHA-256 of what it will produce. */
export function randomStream(totalBytes: number): { stream: Readable; sha256: Promise<string> } {
  const hash = createHash('sha256');
  let resolveDigest!: (digest: string) => void;
  const digest = new Promise<string>((resolve) => (resolveDigest = resolve));
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let sent = 0; sent < totalBytes; ) {
      const chunk = randomBytes(Math.min(64 * 1024, totalBytes - sent));
      hash.update(chunk);
      sent += chunk.length;
      yield chunk;
    }
    resolveDigest(hash.digest('hex'));
  }
  return { stream: Readable.from(chunks()), sha256: digest };
}

/** A stream that sends `bytesBeforeError` bytes and then fails with `error`. */
export function failingStream(bytesBeforeError: number, error: Error): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let sent = 0; sent < bytesBeforeError; sent += 64 * 1024) yield Buffer.alloc(64 * 1024, 7);
    throw error;
  }
  return Readable.from(chunks());
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** A promise-returning gate that opens once it has been called `parties` times. */
export function barrier(parties: number): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return () => {
    if (++arrived >= parties) open();
    return opened;
  };
}

/** Settles every promise and tallies fulfilled vs. rejected-by-code. */
export async function tally(promises: Promise<unknown>[]): Promise<{ ok: number; byCode: Record<string, number> }> {
  const settled = await Promise.allSettled(promises);
  const byCode: Record<string, number> = {};
  let ok = 0;
  for (const result of settled) {
    if (result.status === 'fulfilled') ok++;
    else {
      const code = (result.reason as { code?: string }).code ?? String(result.reason);
      byCode[code] = (byCode[code] ?? 0) + 1;
    }
  }
  return { ok, byCode };
}
