import type { BigIntStats, Dirent } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface WalkEntry {
  key: string;
  stats: BigIntStats;
}

interface Child {
  /** The child's key; a folder's ends with `/`, which is exactly how its keys sort against its siblings. */
  sortKey: string;
  bytes: Buffer;
  isDir: boolean;
}

const STAT_BATCH = 64;
const errorCode = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

/** Orders keys like S3: by the bytes of their UTF-8 encoding (JS `<` compares UTF-16 units, which differs). */
export const compareKeys = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/**
 * Every regular file under `root` whose key starts with `prefix` and sorts after `startAfter`, in key order. Reads
 * one folder at a time and only descends into folders that can hold matching keys, so memory stays bounded by the
 * widest folder rather than by the bucket. Symlinks and other special files are never objects. Top-level entries
 * named in `hidden` (the driver's own folders) are skipped.
 */
export async function* walkSorted(
  root: string,
  prefix: string,
  options: { startAfter?: string; hidden: ReadonlySet<string> },
): AsyncGenerator<WalkEntry> {
  yield* walkDir(root, prefix.slice(0, prefix.lastIndexOf('/') + 1), prefix, options);
}

async function* walkDir(
  root: string,
  dirKey: string,
  prefix: string,
  options: { startAfter?: string; hidden: ReadonlySet<string> },
): AsyncGenerator<WalkEntry> {
  let dirents: Dirent[];
  try {
    dirents = await readdir(join(root, dirKey), { withFileTypes: true });
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return;
    throw error;
  }
  const children: Child[] = [];
  for (const dirent of dirents) {
    if (dirKey === '' && options.hidden.has(dirent.name)) continue;
    const isDir = dirent.isDirectory();
    if (!isDir && !dirent.isFile()) continue;
    const sortKey = `${dirKey}${dirent.name}${isDir ? '/' : ''}`;
    if (wanted(sortKey, isDir, prefix, options.startAfter)) children.push({ sortKey, isDir, bytes: Buffer.from(sortKey) });
  }
  children.sort((a, b) => Buffer.compare(a.bytes, b.bytes));

  for (let i = 0; i < children.length; ) {
    const child = children[i]!;
    if (child.isDir) {
      yield* walkDir(root, child.sortKey, prefix, options);
      i++;
      continue;
    }
    // Stat a run of sibling files in parallel; a file deleted meanwhile is simply not listed.
    let end = i;
    while (end < children.length && !children[end]!.isDir && end - i < STAT_BATCH) end++;
    const batch = children.slice(i, end);
    const stats = await Promise.all(batch.map((file) => statFile(join(root, file.sortKey))));
    for (const [index, file] of batch.entries()) {
      const fileStats = stats[index];
      if (fileStats) yield { key: file.sortKey, stats: fileStats };
    }
    i = end;
  }
}

/** Whether a folder can hold, or a file is, a key under `prefix` after `startAfter`. */
function wanted(sortKey: string, isDir: boolean, prefix: string, startAfter: string | undefined): boolean {
  if (isDir) {
    if (!sortKey.startsWith(prefix) && !prefix.startsWith(sortKey)) return false;
    // Every key in the folder starts with sortKey: all of them sort before startAfter unless it lies inside the folder.
    return startAfter === undefined || compareKeys(sortKey, startAfter) > 0 || startAfter.startsWith(sortKey);
  }
  return sortKey.startsWith(prefix) && (startAfter === undefined || compareKeys(sortKey, startAfter) > 0);
}

async function statFile(path: string): Promise<BigIntStats | undefined> {
  try {
    const stats = await lstat(path, { bigint: true });
    return stats.isFile() ? stats : undefined;
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return undefined;
    throw error;
  }
}
