import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createServer } from 'node:net';
import { repoRoot } from './test-file.js';

export const BENCH_ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';

export interface ServerProcess {
  url: string;
  /** The command line the server runs with. */
  command: string;
  pid: number;
  /** Resident set size now, in bytes (VmRSS). */
  rss(): Promise<number>;
  /** The process's peak resident set size so far, in bytes (VmHWM: the kernel's high-water mark, no sampling gaps). */
  peakRss(): Promise<number>;
  /** CPU time the process has used so far (user + system, all threads), in seconds. */
  cpuSeconds(): Promise<number>;
  /** Everything the server wrote to stderr (startup failures, Node warnings). */
  stderr(): string;
  /** Everything the server wrote to stdout: its JSON log lines (pino writes to stdout) and the startup banner. */
  stdout(): string;
  /** SIGTERM, then wait for the exit. */
  stop(): Promise<void>;
}

/** A port that was free a moment ago (the server is given an explicit PORT; its own PORT=0 choice is not reported reliably). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The node flags the root `start` script gives the server (e.g. `node --max-semi-space-size=2 packages/server/dist/main.js` gives
 * `['--max-semi-space-size=2']`), so the benchmark measures the server as `pnpm start` runs it, minus the wrappers.
 */
export function startScriptNodeFlags(): string[] {
  const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const words = (manifest.scripts?.start ?? '').split(/\s+/).filter(Boolean);
  const flags: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word === '--import' || word === '--require' || word === '-r') i++; // the loader: added explicitly below
    else if (word.startsWith('--import=') || word.startsWith('--require=')) continue;
    else if (word.startsWith('--')) flags.push(word);
  }
  return flags;
}

let built = false;

/** Compiles the server to packages/server/dist once per benchmark run, as `pnpm start` does. */
function buildServer(): void {
  if (built) return;
  execFileSync(path.join(repoRoot, 'node_modules/.bin/tsc'), ['-p', 'packages/server/tsconfig.build.json'], { cwd: repoRoot, stdio: 'inherit' });
  built = true;
}

/** Reads one `Vm…:  1234 kB` line of /proc/<pid>/status, in bytes. */
async function procStatusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/** utime + stime of /proc/<pid>/stat (fields 14 and 15, in clock ticks of 1/100 s on Linux), in seconds. */
async function procCpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // the command name may contain spaces
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Starts the real server as a child process, as `pnpm start` runs it: compiled, `node [start script's node flags]
 * packages/server/dist/main.js`, so the child's pid is the node process running main.js itself (no pnpm wrapper whose RSS we would measure
 * instead). The child gets the bench's environment minus every STUF_*, S3_*, PORT, HOST, LOG_LEVEL and NODE_OPTIONS,
 * plus `env`; `nodeArgs` (e.g. `--max-semi-space-size=1`, to investigate memory) go before the script.
 */
export async function startServerProcess(env: Record<string, string>, nodeArgs: string[] = []): Promise<ServerProcess> {
  const port = await freePort();
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(STUF_|S3_|PORT$|HOST$|LOG_LEVEL$|NODE_OPTIONS$)/.test(name)),
  );
  buildServer();
  const args = [...startScriptNodeFlags(), ...nodeArgs, 'packages/server/dist/main.js'];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: {
      ...inherited,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      STUF_ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
      // The AWS SDK's "node >= 22 from 2027" notice is not something the benchmark can act on.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // Never leave a server behind, even when the benchmark itself dies.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));

  let listening = false;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start within 60 s; stderr:\n${stderr}`)), 60_000);
      child.stdout!.setEncoding('utf8').on('data', (text: string) => {
        stdout += text;
        if (listening) return;
        if (stdout.includes('STUF is listening on')) {
          listening = true;
          clearTimeout(timer);
          resolve();
        }
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`server exited with code ${code} before listening; stderr:\n${stderr}`));
      });
    });
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }

  const pid = child.pid!;
  return {
    command: `node ${args.join(' ')}`,
    url: `http://127.0.0.1:${port}`,
    pid,
    rss: () => procStatusBytes(pid, 'VmRSS'),
    peakRss: () => procStatusBytes(pid, 'VmHWM'),
    cpuSeconds: () => procCpuSeconds(pid),
    stderr: () => stderr,
    stdout: () => stdout,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
