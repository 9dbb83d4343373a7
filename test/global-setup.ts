import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { s3TestsDisabled } from '../packages/server/src/storage/s3-test-env.js';

const run = promisify(execFile);
const LOCAL_S3 = fileURLToPath(new URL('../scripts/local-s3', import.meta.url));

/**
 * Every end-to-end test runs on fs and on a real S3 server. When no S3_ENDPOINT is given, start a throwaway Ceph RGW
 * on loopback (scripts/local-s3; installs Debian packages when run as root) for the run and remove it afterwards.
 * STUF_TEST_S3=off skips the S3 runs locally (even with S3_ENDPOINT set); in CI (CI=true) it is refused, and an S3
 * server that cannot start fails the run.
 */
export default async function setup(): Promise<(() => Promise<void>) | void> {
  if (s3TestsDisabled()) {
    if (process.env.CI) throw new Error('[stuf] STUF_TEST_S3=off is not allowed in CI: every test runs on fs and S3');
    console.warn('\n[stuf] STUF_TEST_S3=off: S3 tests skipped; only the fs backend runs.\n');
    return;
  }
  if (process.env.S3_ENDPOINT) return;
  let stdout: string;
  try {
    console.log('[stuf] starting a local S3 server (Ceph RGW) for the S3 test runs…');
    const env = { ...process.env, LOCAL_S3_PORT: process.env.LOCAL_S3_PORT ?? String(await freePort()) };
    ({ stdout } = await run(LOCAL_S3, ['start'], { env, timeout: 15 * 60_000, maxBuffer: 1024 * 1024 }));
  } catch (error) {
    const message = `[stuf] could not start the local S3 server: ${(error as Error).message.split('\n').slice(0, 3).join(' ')}`;
    if (process.env.CI) throw new Error(message);
    console.warn(`\n${message}\n[stuf] S3 tests skipped; set S3_ENDPOINT (and keys) to use another server, or STUF_TEST_S3=off to silence this.\n`);
    return;
  }
  for (const match of stdout.matchAll(/^export (\w+)=(.*)$/gm)) process.env[match[1]!] = unquote(match[2]!);
  const dir = process.env.LOCAL_S3_DIR;
  console.log(`[stuf] local S3 at ${process.env.S3_ENDPOINT}`);
  return async () => {
    if (dir) await run(LOCAL_S3, ['stop', dir], { timeout: 120_000 }).catch((error) => console.warn(`[stuf] local S3 stop failed: ${error}`));
  };
}

/** A loopback port nobody listens on right now, so a run never collides with another S3 server on the machine. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function unquote(value: string): string {
  const single = /^'(.*)'$/s.exec(value);
  // local-s3 prints values with bash's printf %q: backslash escapes (or $'…' for control characters, never used here).
  return single ? single[1]! : value.replace(/\\(.)/g, '$1');
}
