import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { isStufError } from '@stuf/sdk/node';
import { registerConfig } from './commands/config.js';
import { registerKeys } from './commands/keys.js';
import { registerServe } from './commands/serve.js';
import { registerUpload } from './commands/upload.js';
import { registerUploads } from './commands/uploads.js';
import { registerUsers } from './commands/users.js';
import { CliError, describeStufError, EXIT, exitCodeFor, type ExitCode } from './exit-codes.js';

/** What commands share: output, and a signal that aborts on Ctrl-C. */
export interface CliContext {
  out(text: string): void;
  err(text: string): void;
  /** Aborted on SIGINT (installed on first use, so `stuf serve` keeps its own graceful shutdown). */
  readonly signal: AbortSignal;
  /** Set by commands that keep running after their action returns (`serve`). */
  keepAlive: boolean;
}

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

export function createProgram(context: CliContext): Command {
  const program = new Command('stuf')
    .description('STUF — Secure Trusted Upload Facility: upload, list and download files; run the server')
    .version(version, '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: (text) => context.out(text), writeErr: (text) => context.err(text) })
    .showHelpAfterError(true)
    .allowExcessArguments(false);
  program.addHelpText(
    'after',
    `
Server commands take --url / --token (or env STUF_URL / STUF_TOKEN).
Exit codes: 0 ok, 1 unexpected error, 2 bad usage, 3 refused by the server, 4 not authenticated or not allowed,
5 not found, 6 server unavailable, 7 download integrity failure, 130 interrupted.`,
  );
  registerUpload(program, context);
  registerUploads(program, context);
  registerConfig(program, context);
  registerKeys(program, context);
  registerUsers(program, context);
  registerServe(program, context);
  return program;
}

function createContext(): CliContext {
  let controller: AbortController | undefined;
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    get signal() {
      if (!controller) {
        const created = new AbortController();
        controller = created;
        process.once('SIGINT', () => created.abort(new Error('interrupted')));
      }
      return controller.signal;
    },
    keepAlive: false,
  };
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let current: Command | null = command; current; current = current.parent) names.unshift(current.name());
  return names.join(' ');
}

/** Runs `stuf` with `argv` (without node and the script) and returns the exit code. */
export async function runCli(argv: string[], context: CliContext = createContext()): Promise<{ code: ExitCode; keepAlive: boolean }> {
  const program = createProgram(context);
  let running: Command | undefined;
  program.hook('preAction', (_program, actionCommand) => {
    running = actionCommand;
  });
  const fail = (message: string, code: ExitCode) => {
    context.err(`stuf: ${message}\n`);
    if (code === EXIT.USAGE && running) context.err(`Usage: ${commandPath(running)} ${running.usage()}\n(run with --help for details)\n`);
    return { code, keepAlive: false };
  };
  try {
    await program.parseAsync(argv, { from: 'user' });
    return { code: EXIT.OK, keepAlive: context.keepAlive };
  } catch (error) {
    if (error instanceof CommanderError) return { code: error.exitCode === 0 ? EXIT.OK : EXIT.USAGE, keepAlive: false };
    if (error instanceof CliError) return fail(error.message, error.exitCode);
    if (isStufError(error)) return fail(describeStufError(error), exitCodeFor(error));
    if (error instanceof Error && error.name === 'ConfigError') return fail(error.message, EXIT.USAGE);
    return fail(`unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`, EXIT.FAILURE);
  }
}
