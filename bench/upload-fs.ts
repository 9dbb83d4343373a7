import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { intOption, parseArgs, rejectUnknown } from './lib/args.js';
import { mb, median, mibPerSecond, seconds } from './lib/format.js';
import { streamCreateUpload } from './lib/multipart-client.js';
import { startServerProcess } from './lib/server-process.js';
import { benchTmpDir, testFile } from './lib/test-file.js';

/** Issue 2's bar for the server's peak RSS while one large file streams through it. */
const PEAK_RSS_LIMIT_BYTES = 150e6;
const CP_RUNS = 3;

export const description = 'one large createUpload through STUF (fs driver, child process) vs plain cp; peak server RSS < 150 MB';
export const usage = '--size-mb N (default 1024) --server-node-args="--flag …" (extra node flags for the server, to investigate memory)';

/**
 * Streams one `--size-mb` file through a real STUF server (fs driver, a child process) as a GraphQL multipart
 * createUpload and compares the wall time with `cp` of the same file on the same disk. Fails (exit 1) when the server's
 * peak RSS reaches 150 MB or the SHA-256 the server reports is not the file's.
 */
export async function run(argv: string[]): Promise<number> {
  const options = parseArgs(argv);
  rejectUnknown(options, ['size-mb', 'server-node-args']);
  const serverNodeArgs = options.get('server-node-args')?.split(/\s+/).filter(Boolean) ?? [];
  const sizeMiB = intOption(options, 'size-mb', 1024);
  const file = await testFile(sizeMiB);
  const workDir = await mkdtemp(path.join(benchTmpDir, 'upload-fs-'));
  try {
    // cp first, each followed by a sync of the copy, so no dirty pages are left to slow STUF's run down (STUF fsyncs its
    // own file). Three copies, medians: the disk's speed varies with the host's write-back.
    const cpTimes: number[] = [];
    const cpSyncTimes: number[] = [];
    for (let i = 0; i < CP_RUNS; i++) {
      const copy = path.join(workDir, `copy-${i}.bin`);
      const cpMs = await timed(() => exec('cp', [file.path, copy]));
      const syncMs = await timed(() => exec('sync', ['-d', copy]));
      await rm(copy);
      cpTimes.push(cpMs);
      cpSyncTimes.push(cpMs + syncMs);
    }
    const cpMs = median(cpTimes);
    const cpSyncMs = median(cpSyncTimes);

    const dataDir = path.join(workDir, 'data');
    const server = await startServerProcess({ STUF_STORAGE: 'fs', STUF_DATA_DIR: dataDir }, serverNodeArgs);
    let uploaded, stufMs, idleRss, peakRss;
    try {
      process.stdout.write(`server: ${server.command}\n`);
      idleRss = await server.rss();
      const started = performance.now();
      uploaded = await streamCreateUpload(server.url, file.path, file.bytes, path.basename(file.path));
      stufMs = performance.now() - started;
      peakRss = await server.peakRss();
    } finally {
      await server.stop();
    }
    if (server.stderr().trim()) process.stdout.write(`server stderr:\n${server.stderr()}\n`);

    const ratio = cpMs / stufMs;
    process.stdout.write(
      `STUF upload: ${sizeMiB} MiB in ${seconds(stufMs)} (${mibPerSecond(file.bytes, stufMs)}); ` +
        `cp: ${seconds(cpMs)} (${mibPerSecond(file.bytes, cpMs)}); ratio STUF/cp = ${ratio.toFixed(2)}; ` +
        `server peak RSS = ${mb(peakRss)}\n` +
        `  (server RSS before the upload: ${mb(idleRss)}; cp times are medians of ${CP_RUNS}; cp + sync of the copy: ${seconds(cpSyncMs)}, ` +
        `ratio STUF/(cp+sync) = ${(cpSyncMs / stufMs).toFixed(2)}; STUF fsyncs before answering)\n`,
    );

    let failed = false;
    if (uploaded.size !== file.bytes || uploaded.sha256 !== file.sha256) {
      process.stdout.write(`FAIL: server stored ${uploaded.size} bytes with sha256 ${uploaded.sha256}; file has ${file.bytes} bytes, sha256 ${file.sha256}\n`);
      failed = true;
    } else {
      process.stdout.write(`sha256 OK: ${uploaded.sha256}\n`);
    }
    if (peakRss >= PEAK_RSS_LIMIT_BYTES) {
      process.stdout.write(`FAIL: server peak RSS ${mb(peakRss)} ≥ ${mb(PEAK_RSS_LIMIT_BYTES)} (issue 2's bar)\n`);
      failed = true;
    }
    return failed ? 1 : 0;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function timed(action: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

function exec(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`))));
  });
}
