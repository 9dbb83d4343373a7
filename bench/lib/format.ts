import { MiB } from './test-file.js';

/** Bytes as MB (10^6 bytes, the unit of the issues' memory bars). */
export const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(0)} MB`;

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export const mibPerSecond = (bytes: number, ms: number): string => `${(bytes / MiB / (ms / 1000)).toFixed(0)} MiB/s`;

/** `PutObject 2, UploadPart 128, …` in a stable order (most frequent first, then by name). */
export function breakdown(counts: Record<string, number>): string {
  const entries = Object.entries(counts).filter(([name]) => name !== 'total');
  if (entries.length === 0) return '(none)';
  return entries
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([name, count]) => `${name} ${count}`)
    .join(', ');
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
