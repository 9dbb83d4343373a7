import { createHash, randomInt } from 'node:crypto';
import type { BigIntStats } from 'node:fs';

/**
 * The ETag of one stored file version: a hash of inode, size and mtime (ns). Every write renames a fresh temp file
 * into place, so consecutive versions always differ by inode. Inodes are reused quickly though (version N+2 often
 * gets version N's inode back), so the driver also stamps each version's mtime itself (see `versionTimeUs`):
 * strictly increasing per key under the key lock, with a random sub-millisecond part for re-creations.
 */
export function etagOf(stats: BigIntStats): string {
  return createHash('sha256').update(`${stats.ino}:${stats.size}:${stats.mtimeNs}`).digest('base64url').slice(0, 27);
}

/**
 * The mtime (µs since the epoch) for a new version: the current millisecond plus a random microsecond part, and
 * strictly later than `afterNs` (the mtime of the version it replaces) when given. Microseconds, because that is
 * the resolution `utimes` offers through libuv.
 */
export function versionTimeUs(afterNs?: bigint): bigint {
  const now = BigInt(Date.now()) * 1000n + BigInt(randomInt(0, 1000));
  const floor = afterNs === undefined ? undefined : afterNs / 1000n + 1n;
  return floor !== undefined && now < floor ? floor : now;
}

/** `utimes` seconds for a µs timestamp; the half microsecond keeps float rounding from landing on the µs below. */
export function utimesSeconds(us: bigint): number {
  return (Number(us) + 0.5) / 1e6;
}
