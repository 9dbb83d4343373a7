/**
 * `pnpm bench <name> [options]`: runs one benchmark. Benchmarks print throughput ratios, memory and request counts,
 * and exit non-zero when one of the issue's targets is missed; no test ever asserts on time (architecture §10).
 */
interface Benchmark {
  description: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}

const benchmarks: Record<string, () => Promise<Benchmark>> = {
  'upload-fs': () => import('./upload-fs.js'),
  upload: () => import('./upload-s3.js'),
};

// Output piped into `head` and closed early must not kill the run before it has cleaned up (server, bucket, temp files).
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

async function main(): Promise<number> {
  const [name, ...argv] = process.argv.slice(2);
  const load = name ? benchmarks[name] : undefined;
  if (!load) {
    const lines = await Promise.all(
      Object.entries(benchmarks).map(async ([key, loadOne]) => {
        const bench = await loadOne();
        return `  ${key.padEnd(10)} ${bench.description}\n  ${''.padEnd(10)} options: ${bench.usage}`;
      }),
    );
    process.stderr.write(`${name ? `unknown benchmark "${name}"\n\n` : ''}usage: pnpm bench <name> [options]\n\nbenchmarks:\n${lines.join('\n')}\n`);
    return 2;
  }
  return (await load()).run(argv);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
