import { InvalidArgumentError, type Command } from 'commander';
import type { CliContext } from '../program.js';

interface ServeOptions {
  port?: string;
  host?: string;
  dataDir?: string;
  storage?: string;
}

function port(value: string): string {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 65535) throw new InvalidArgumentError('expected a port number (0 picks a free one)');
  return value;
}

export function registerServe(program: Command, context: CliContext): void {
  program
    .command('serve')
    .description('run the STUF server on this machine (settings from the environment: PORT, STUF_STORAGE, S3_*, …)')
    .option('-p, --port <port>', 'port to listen on (env PORT, default 4000)', port)
    .option('--host <host>', 'address to listen on (env HOST, default 0.0.0.0)')
    .option('-d, --data-dir <dir>', 'bucket directory for the fs storage (env STUF_DATA_DIR)')
    .option('--storage <kind>', 'fs or s3 (env STUF_STORAGE)')
    .action(async (options: ServeOptions) => {
      const { runServer } = await import('@stuf/server/run-server');
      const env = { ...process.env };
      if (options.port !== undefined) env.PORT = options.port;
      if (options.host !== undefined) env.HOST = options.host;
      if (options.dataDir !== undefined) env.STUF_DATA_DIR = options.dataDir;
      if (options.storage !== undefined) env.STUF_STORAGE = options.storage;
      await runServer(env);
      context.keepAlive = true;
    });
}
