import { createHash, randomUUID } from 'node:crypto';
import { lstat, mkdir, open, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StorageUnavailableError } from './errors.js';
import { KeyedMutex } from './keyed-mutex.js';

export interface FileLockOptions {
  /** A lock file older than this is considered abandoned and broken (default 15 s; locks are held for milliseconds). */
  staleMs?: number;
  /** Give up waiting for a lock after this long with `StorageUnavailableError` (default 30 s). */
  timeoutMs?: number;
}

interface LockOwner {
  pid: number;
  host: string;
  token: string;
}

type LockState = 'gone' | 'held' | 'stale';

const errorCode = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

/**
 * Cross-process exclusive locks, one lock file per key under `dir`, created with O_EXCL (`open(…, 'wx')`), which is
 * atomic on local filesystems. A lock whose owner process is dead (same host) or that is older than `staleMs` is
 * broken; breaking happens under a second O_EXCL "break" lock so two breakers can never both remove a fresh lock.
 */
export class FileLocks {
  readonly #mutex = new KeyedMutex();
  readonly #staleMs: number;
  readonly #timeoutMs: number;

  constructor(
    readonly dir: string,
    options: FileLockOptions = {},
  ) {
    this.#staleMs = options.staleMs ?? 15_000;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** The lock file guarding `name` (hashed, so any key maps to a short flat file name). */
  pathFor(name: string): string {
    return join(this.dir, `${createHash('sha256').update(name).digest('hex')}.lock`);
  }

  /** Runs `fn` while holding the lock of `name`; same-process callers queue in memory instead of polling the file. */
  async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const lockPath = this.pathFor(name);
    return this.#mutex.run(lockPath, async () => {
      const token = await this.#acquire(lockPath);
      try {
        return await fn();
      } finally {
        await release(lockPath, token);
      }
    });
  }

  async #acquire(lockPath: string): Promise<string> {
    const token = randomUUID();
    const content = JSON.stringify({ pid: process.pid, host: hostname(), token } satisfies LockOwner);
    const deadline = Date.now() + this.#timeoutMs;
    for (let attempt = 0; ; attempt++) {
      if (await tryCreate(lockPath, content)) return token;
      if (Date.now() > deadline) {
        throw new StorageUnavailableError(`Timed out after ${this.#timeoutMs} ms waiting for lock ${lockPath}`);
      }
      const state = await inspect(lockPath, this.#staleMs);
      if (state === 'gone') continue;
      if (state === 'stale') {
        await this.#breakStale(lockPath, content);
        continue;
      }
      // Jittered, capped backoff: holders keep locks for a few milliseconds (stat + rename + fsync).
      await sleep(1 + Math.random() * Math.min(25, 2 ** attempt));
    }
  }

  async #breakStale(lockPath: string, content: string): Promise<void> {
    const breakPath = `${lockPath}.break`;
    if (!(await tryCreate(breakPath, content))) {
      // Someone else is breaking it. A break lock is held for microseconds, so an old one means its breaker died.
      const stats = await lstat(breakPath).catch(() => undefined);
      if (stats && Date.now() - stats.mtimeMs > this.#staleMs) await unlink(breakPath).catch(() => undefined);
      await sleep(1 + Math.random() * 5);
      return;
    }
    try {
      // Re-inspect under the break lock: another breaker may already have replaced the stale lock with a fresh one.
      const handle = await open(lockPath, 'r').catch(() => undefined);
      if (!handle) return;
      try {
        const stats = await handle.stat();
        if (stateOf(stats.mtimeMs, await handle.readFile('utf8'), this.#staleMs) !== 'stale') return;
        const current = await lstat(lockPath).catch(() => undefined);
        if (current?.ino === stats.ino) await unlink(lockPath).catch(() => undefined);
      } finally {
        await handle.close();
      }
    } finally {
      await unlink(breakPath).catch(() => undefined);
    }
  }
}

/** Creates the lock file exclusively; false when it already exists. */
async function tryCreate(lockPath: string, content: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(lockPath, 'wx');
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    if (errorCode(error) !== 'ENOENT') throw error;
    // The locks folder was removed from under us (e.g. someone wiped it): recreate and retry once.
    await mkdir(join(lockPath, '..'), { recursive: true });
    return tryCreate(lockPath, content);
  }
  try {
    await handle.writeFile(content);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(lockPath).catch(() => undefined);
    throw error;
  }
  await handle.close();
  return true;
}

async function inspect(lockPath: string, staleMs: number): Promise<LockState> {
  // Read through one handle so the age and the owner describe the same lock file.
  const handle = await open(lockPath, 'r').catch((error: unknown) => {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  });
  if (!handle) return 'gone';
  try {
    const stats = await handle.stat();
    return stateOf(stats.mtimeMs, await handle.readFile('utf8'), staleMs);
  } finally {
    await handle.close();
  }
}

function stateOf(mtimeMs: number, text: string, staleMs: number): LockState {
  if (Date.now() - mtimeMs > staleMs) return 'stale';
  const owner = parseOwner(text);
  // An empty/partial file is a lock being written right now; only its age can make it stale.
  if (owner && owner.host === hostname() && !isAlive(owner.pid)) return 'stale';
  return 'held';
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.token === 'string') {
      return value as LockOwner;
    }
  } catch {
    // Partially written lock file: fall through.
  }
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}

/** Removes the lock only if it is still ours: if it was broken as stale, the file now belongs to someone else. */
async function release(lockPath: string, token: string): Promise<void> {
  const text = await readFile(lockPath, 'utf8').catch(() => undefined);
  if (text !== undefined && parseOwner(text)?.token === token) await unlink(lockPath).catch(() => undefined);
}
