import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const MiB = 1024 * 1024;

/** Repository root (bench/lib/ is two levels down). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Scratch space for benchmarks: `.bench-tmp/` in the repository (git-ignored, on the same disk as the checkout). */
export const benchTmpDir = path.join(repoRoot, '.bench-tmp');

export interface TestFile {
  path: string;
  bytes: number;
  sha256: string;
}

/**
 * A `sizeMiB` file of incompressible-looking bytes, generated once and reused: one random 1 MiB block repeated, each
 * copy stamped with its index so no two MiB are equal. Its SHA-256 is computed while writing and kept beside it.
 */
export async function testFile(sizeMiB: number): Promise<TestFile> {
  await mkdir(benchTmpDir, { recursive: true });
  const file = path.join(benchTmpDir, `random-${sizeMiB}MiB.bin`);
  const shaFile = `${file}.sha256`;
  const bytes = sizeMiB * MiB;
  const existing = await stat(file).catch(() => undefined);
  if (existing?.size === bytes) {
    const sha256 = (await readFile(shaFile, 'utf8').catch(() => '')).trim();
    if (/^[0-9a-f]{64}$/.test(sha256)) return { path: file, bytes, sha256 };
    const computed = await sha256OfFile(file);
    await writeFile(shaFile, `${computed}\n`);
    return { path: file, bytes, sha256: computed };
  }

  process.stdout.write(`generating ${sizeMiB} MiB test file ${path.relative(process.cwd(), file)} … `);
  const started = performance.now();
  const block = randomBytes(MiB);
  const batch = Buffer.alloc(8 * MiB);
  const hash = createHash('sha256');
  const temp = `${file}.${process.pid}.tmp`;
  const handle = await open(temp, 'w');
  try {
    for (let mib = 0; mib < sizeMiB; ) {
      const count = Math.min(8, sizeMiB - mib);
      for (let i = 0; i < count; i++, mib++) {
        block.copy(batch, i * MiB);
        batch.writeBigUInt64LE(BigInt(mib), i * MiB);
      }
      const chunk = batch.subarray(0, count * MiB);
      hash.update(chunk);
      await handle.write(chunk);
    }
  } finally {
    await handle.close();
  }
  await rename(temp, file); // only a complete file is ever reused
  const sha256 = hash.digest('hex');
  await writeFile(shaFile, `${sha256}\n`);
  process.stdout.write(`${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return { path: file, bytes, sha256 };
}

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: MiB })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
