import { randomUUID } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { constants } from 'node:fs';
import { link, lstat, mkdir, open, rename, rm, rmdir, unlink, utimes } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { normalizeEtag } from './driver.js';
import type {
  DeleteOptions,
  GetOptions,
  GetResult,
  ListOptions,
  NotModifiedResult,
  ObjectInfo,
  PutBody,
  PutOptions,
  StorageDriver,
} from './driver.js';
import { InvalidKeyError, NotFoundError, PreconditionFailedError, StorageError } from './errors.js';
import { etagOf, utimesSeconds, versionTimeUs } from './fs-etag.js';
import { FileLocks, type FileLockOptions } from './fs-lock.js';
import { walkSorted } from './fs-list.js';
import { assertValidKey, assertValidPrefix } from './keys.js';

export type FsDriverOptions = FileLockOptions;

/** The driver's own folder under the root (temp files, lock files); keys under it are refused, `list` never shows it. */
export const FS_INTERNAL_DIR = '.stuf-fs';
/** Most filesystems cap one path segment at 255 bytes. */
const MAX_SEGMENT_BYTES = 255;
// Opening with O_NOFOLLOW makes a symlink planted at a key's path unreadable instead of a way out of the root.
const OPEN_READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

const errorCode = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

/**
 * The embedded storage driver: a local folder *is* the bucket, key K is the file `<root>/K`.
 *
 * - Writes stream into `<root>/.stuf-fs/tmp/`, fsync, then `rename` (or `link`, for create-only) into place and
 *   fsync the folder, so readers see the old or the new file, never a part.
 * - Create-only puts use `link(temp, target)`, which fails atomically with EEXIST. Every other mutation of a key
 *   (put, ifMatch put, delete) holds the key's cross-process lock file (`.stuf-fs/locks/`), so compare-and-swap is
 *   atomic across processes on this machine.
 * - ETags derive from inode, size and a driver-stamped mtime (see `fs-etag.ts`); nothing is stored beside the file.
 * - Content types are not persisted (a sidecar could disagree with the file after a crash): `.json` keys report
 *   `application/json`, everything else `application/octet-stream`. Callers that need the original type keep it in
 *   their own metadata, as uploads do.
 * - The filesystem cannot hold both `a` and `a/b`; writing one while the other exists throws `StorageError` with code
 *   `CONFLICT`.
 */
export class FsDriver implements StorageDriver {
  readonly name = 'fs';
  readonly root: string;
  readonly #tmpDir: string;
  readonly #locks: FileLocks;
  #ready: Promise<void> | undefined;

  constructor(root: string, options: FsDriverOptions = {}) {
    this.root = resolve(root);
    this.#tmpDir = join(this.root, FS_INTERNAL_DIR, 'tmp');
    this.#locks = new FileLocks(join(this.root, FS_INTERNAL_DIR, 'locks'), options);
  }

  /** Creates the driver's internal folders (idempotent; `createFsDriver` calls it). */
  ready(): Promise<void> {
    this.#ready ??= Promise.all([
      mkdir(this.#tmpDir, { recursive: true }),
      mkdir(this.#locks.dir, { recursive: true }),
    ]).then(
      () => undefined,
      (error: unknown) => {
        this.#ready = undefined;
        throw error;
      },
    );
    return this.#ready;
  }

  /** The file of `key`, after validating it and checking that it resolves inside the root. */
  pathOf(key: string): string {
    assertValidKey(key);
    if (key === FS_INTERNAL_DIR || key.startsWith(`${FS_INTERNAL_DIR}/`)) {
      throw new InvalidKeyError(key, 'reserved by the fs driver');
    }
    if (key.split('/').some((segment) => Buffer.byteLength(segment) > MAX_SEGMENT_BYTES)) {
      throw new InvalidKeyError(key, `a segment is longer than ${MAX_SEGMENT_BYTES} bytes`);
    }
    const path = resolve(this.root, key);
    const inside = relative(this.root, path);
    // Belt and braces: assertValidKey already forbids every way out, but the resolved path is what we touch.
    if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || resolve(this.root, inside) !== path) {
      throw new InvalidKeyError(key, 'resolves outside the storage root');
    }
    return path;
  }

  /** The lock file that guards `key` (exposed for tests of stale-lock recovery). */
  lockPathOf(key: string): string {
    this.pathOf(key);
    return this.#locks.pathFor(key);
  }

  /** Streams the file; `{ notModified }` when `ifNoneMatch` equals its ETag. */
  async get(key: string, options: GetOptions = {}): Promise<GetResult | NotModifiedResult> {
    const path = this.pathOf(key);
    let handle;
    try {
      handle = await open(path, OPEN_READ_FLAGS);
    } catch (error) {
      throw missingAsNotFound(error, key);
    }
    let keepOpen = false;
    try {
      // Stat and stream through one handle: a concurrent rename cannot mix two versions into one answer.
      const stats = await handle.stat({ bigint: true });
      if (!stats.isFile()) throw new NotFoundError(key);
      const info = objectInfo(key, stats);
      if (options.ifNoneMatch !== undefined && normalizeEtag(options.ifNoneMatch) === info.etag) {
        return { notModified: true, etag: info.etag };
      }
      keepOpen = true;
      return { ...info, notModified: false, body: handle.createReadStream() };
    } finally {
      if (!keepOpen) await handle.close();
    }
  }

  /** Size, ETag and time of the file; `NotFoundError` when missing. */
  async head(key: string): Promise<ObjectInfo> {
    const stats = await statObject(this.pathOf(key), key);
    if (!stats) throw new NotFoundError(key);
    return objectInfo(key, stats);
  }

  /** Streams `body` to a temp file and moves it into place; conditional forms are atomic across processes. */
  async put(key: string, body: PutBody, options: PutOptions = {}): Promise<{ etag: string }> {
    const path = this.pathOf(key);
    if (options.ifMatch !== undefined && options.ifNoneMatch !== undefined) {
      throw new TypeError('put: ifMatch and ifNoneMatch cannot be combined');
    }
    await this.ready();
    const temp = join(this.#tmpDir, `${randomUUID()}.tmp`);
    try {
      const tempStats = await this.#writeTemp(temp, body);
      if (options.ifNoneMatch === '*') return await this.#create(key, path, temp, tempStats);
      return await this.#locks.withLock(key, () => this.#replace(key, path, temp, tempStats, options.ifMatch));
    } finally {
      // After a rename the temp name is gone; after a link it is a second name of the object; after a failure it is junk.
      await rm(temp, { force: true });
    }
  }

  /** Removes the file under the key's lock, then any folders the removal left empty. */
  async delete(key: string, options: DeleteOptions = {}): Promise<void> {
    const path = this.pathOf(key);
    await this.ready();
    const removed = await this.#locks.withLock(key, async () => {
      const current = await statObject(path, key);
      if (options.ifMatch !== undefined) {
        if (!current) throw new NotFoundError(key);
        if (etagOf(current) !== normalizeEtag(options.ifMatch)) throw new PreconditionFailedError(key);
      }
      if (!current) return false;
      await unlink(path).catch((error: unknown) => {
        if (errorCode(error) !== 'ENOENT') throw error;
      });
      await fsyncDir(dirname(path));
      return true;
    });
    if (removed) await this.#pruneEmptyFolders(dirname(path));
  }

  /** Every file under `prefix` in UTF-8 byte order of keys, walking one folder at a time. */
  async *list(prefix: string, options: ListOptions = {}): AsyncGenerator<ObjectInfo> {
    assertValidPrefix(prefix);
    if (prefix.startsWith(`${FS_INTERNAL_DIR}/`)) return;
    const hidden = new Set([FS_INTERNAL_DIR]);
    for await (const { key, stats } of walkSorted(this.root, prefix, { startAfter: options.startAfter, hidden })) {
      // Files dropped into the folder by hand may have names that are not valid keys; they are not objects.
      if (isValidKey(key)) yield objectInfo(key, stats);
    }
  }

  async #writeTemp(temp: string, body: PutBody): Promise<BigIntStats> {
    const handle = await open(temp, 'wx').catch(async (error: unknown) => {
      if (errorCode(error) !== 'ENOENT') throw error;
      // Someone removed our tmp folder: recreate it once.
      this.#ready = undefined;
      await this.ready();
      return open(temp, 'wx');
    });
    try {
      if (typeof body === 'string' || body instanceof Uint8Array) {
        await handle.writeFile(body);
      } else {
        for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
          await writeAll(handle, typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
        }
      }
      const seconds = utimesSeconds(versionTimeUs());
      await handle.utimes(seconds, seconds);
      await handle.sync();
      return await handle.stat({ bigint: true });
    } finally {
      await handle.close();
    }
  }

  async #create(key: string, path: string, temp: string, tempStats: BigIntStats): Promise<{ etag: string }> {
    try {
      await withParentFolder(key, path, () => link(temp, path));
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
      if (!(await statObject(path, key))) throw conflict(key, error);
      throw new PreconditionFailedError(key, { cause: error });
    }
    await fsyncDir(dirname(path));
    return { etag: etagOf(tempStats) };
  }

  async #replace(
    key: string,
    path: string,
    temp: string,
    tempStats: BigIntStats,
    ifMatch: string | undefined,
  ): Promise<{ etag: string }> {
    const current = await statObject(path, key);
    if (ifMatch !== undefined) {
      if (!current) throw new NotFoundError(key);
      if (etagOf(current) !== normalizeEtag(ifMatch)) throw new PreconditionFailedError(key);
    }
    let stats = tempStats;
    if (current && stats.mtimeNs <= current.mtimeNs) {
      // Keep mtimes strictly increasing per key, so a reused inode can never bring back an older version's ETag.
      const seconds = utimesSeconds(versionTimeUs(current.mtimeNs));
      await utimes(temp, seconds, seconds);
      stats = await lstat(temp, { bigint: true });
    }
    await withParentFolder(key, path, () => rename(temp, path));
    await fsyncDir(dirname(path));
    return { etag: etagOf(stats) };
  }

  async #pruneEmptyFolders(dir: string): Promise<void> {
    // rmdir only removes empty folders; stop at the first one that is not (or at the root, which always stays).
    for (let current = dir; current !== this.root && current.startsWith(this.root + sep); current = dirname(current)) {
      try {
        await rmdir(current);
      } catch {
        return;
      }
    }
  }
}

/** Creates the root folder if needed and returns a ready fs driver on it. */
export async function createFsDriver(root: string, options?: FsDriverOptions): Promise<FsDriver> {
  await mkdir(root, { recursive: true });
  const driver = new FsDriver(root, options);
  await driver.ready();
  return driver;
}

function objectInfo(key: string, stats: BigIntStats): ObjectInfo {
  return {
    key,
    etag: etagOf(stats),
    size: Number(stats.size),
    lastModified: new Date(Number(stats.mtimeNs / 1_000_000n)),
    contentType: key.endsWith('.json') ? 'application/json' : 'application/octet-stream',
  };
}

/** The stats of the regular file at `path`, or undefined when there is none (missing, a folder, a symlink). */
async function statObject(path: string, key: string): Promise<BigIntStats | undefined> {
  try {
    const stats = await lstat(path, { bigint: true });
    return stats.isFile() ? stats : undefined;
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return undefined;
    throw missingAsNotFound(error, key);
  }
}

/**
 * Runs a rename/link into `path`, creating its parent folders when missing. Retries because a concurrent delete
 * may prune a folder between our mkdir and our rename.
 */
async function withParentFolder(key: string, path: string, operation: () => Promise<void>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (errorCode(error) === 'ENOTDIR') throw conflict(key, error);
      if (errorCode(error) === 'EISDIR' || errorCode(error) === 'ENOTEMPTY') throw conflict(key, error);
      if (errorCode(error) !== 'ENOENT' || attempt >= 5) throw error;
    }
    try {
      await mkdir(dirname(path), { recursive: true });
    } catch (error) {
      // A parent segment exists as a file: `a/b` cannot be written while object `a` exists.
      if (errorCode(error) === 'EEXIST' || errorCode(error) === 'ENOTDIR') throw conflict(key, error);
      throw error;
    }
  }
}

async function writeAll(handle: import('node:fs/promises').FileHandle, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.byteLength; ) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.byteLength - offset);
    offset += bytesWritten;
  }
}

/** Makes a rename durable. Platforms that cannot fsync a folder (Windows) report EISDIR/EPERM/EINVAL: nothing to do. */
async function fsyncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    if (!['EISDIR', 'EPERM', 'EINVAL', 'EBADF', 'ENOENT'].includes(errorCode(error) ?? '')) throw error;
  } finally {
    await handle?.close();
  }
}

function missingAsNotFound(error: unknown, key: string): unknown {
  const code = errorCode(error);
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP' || code === 'EISDIR') {
    return new NotFoundError(key, { cause: error });
  }
  return error;
}

function conflict(key: string, cause: unknown): StorageError {
  return new StorageError('CONFLICT', `${key} clashes with a folder or file of the same name on disk`, key, { cause });
}

function isValidKey(key: string): boolean {
  try {
    assertValidKey(key);
    return true;
  } catch {
    return false;
  }
}
