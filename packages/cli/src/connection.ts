import { Option, type Command } from 'commander';
import { createStufClient, type StufClient } from '@stuf/sdk/node';
import { CliError, EXIT } from './exit-codes.js';

export const DEFAULT_URL = 'http://localhost:4000';

export interface ConnectionOptions {
  url: string;
  token?: string;
}

/** Adds `--url` / `--token` (env STUF_URL / STUF_TOKEN) to a command that talks to a server. */
export function withConnection(command: Command): Command {
  return command
    .addOption(new Option('--url <url>', 'STUF server URL').env('STUF_URL').default(DEFAULT_URL))
    .addOption(new Option('--token <token>', 'bearer token').env('STUF_TOKEN'));
}

/** A client for the command's `--url` / `--token`. */
export function clientFor(options: ConnectionOptions, signal?: AbortSignal): { client: StufClient; signal?: AbortSignal } {
  try {
    new URL(options.url);
  } catch {
    throw new CliError(`invalid --url ${JSON.stringify(options.url)}: expected something like ${DEFAULT_URL}`, EXIT.USAGE);
  }
  return { client: createStufClient({ url: options.url, token: options.token || undefined }), signal };
}

/** `--progress` / `--no-progress`: forced either way, else shown when stderr is a terminal. */
export function withProgressOption(command: Command, what: string): Command {
  return command
    .option('--progress', `always show ${what} progress bars (also when stderr is not a terminal)`)
    .option('--no-progress', `never show ${what} progress bars`);
}

export function progressEnabled(option: boolean | undefined): boolean {
  return option ?? process.stderr.isTTY === true;
}
