import { runCli } from '../../packages/cli/src/program.js';
import { ADMIN_TOKEN } from './server.js';

/** Runs the `stuf` CLI in-process against `url` as the test admin, capturing its output and exit code. */
export async function runStufCli(url: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const { code } = await runCli([...args, '--url', url, '--token', ADMIN_TOKEN], {
    out: (chunk) => void (out += chunk),
    err: (chunk) => void (err += chunk),
    signal: new AbortController().signal,
    keepAlive: false,
  });
  return { code, out, err };
}
