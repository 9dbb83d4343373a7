import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ChildSpec } from './conformance-child.js';

const CHILD_SCRIPT = fileURLToPath(new URL('./conformance-child.ts', import.meta.url));
// tsx is resolved from this package's node_modules chain, not from whatever the cwd happens to be.
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface ChildResult {
  ok: number;
  byCode: Record<string, number>;
}

/**
 * Starts one OS process per spec, waits until every one has built its driver, then tells them all to go at once,
 * so their puts really race. Resolves with each child's tally.
 */
export async function raceInChildren(specs: ChildSpec[]): Promise<ChildResult[]> {
  const children = specs.map((spec) =>
    spawn(process.execPath, ['--import', TSX_LOADER, CHILD_SCRIPT, JSON.stringify(spec)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  );
  try {
    const outputs = children.map((child) => linesOf(child));
    await Promise.all(outputs.map((output) => output.next('ready')));
    for (const child of children) child.stdin!.write('go\n');
    const results = await Promise.all(outputs.map((output) => output.next()));
    return results.map((line) => JSON.parse(line) as ChildResult);
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill();
  }
}

/** Line reader over a child's stdout that fails with its stderr when it exits early. */
function linesOf(child: ChildProcess): { next(expected?: string): Promise<string> } {
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return {
    async next(expected) {
      const { value, done } = await lines.next();
      if (done || (expected !== undefined && value !== expected)) {
        throw new Error(`conformance child ${child.pid} said ${JSON.stringify(value)}, stderr:\n${stderr}`);
      }
      return value as string;
    },
  };
}
