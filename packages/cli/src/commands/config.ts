import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import type { Command } from 'commander';
import type { StufClient, UpdateMetadataConfigResult, UpdateStufConfigResult } from '@stuf/sdk/node';
import { clientFor, withConnection, type ConnectionOptions } from '../connection.js';
import { CliError, EXIT } from '../exit-codes.js';
import type { CliContext } from '../program.js';

interface DocumentOption {
  metadata?: boolean;
}

/** How often `set` re-reads and re-applies its change after someone else published in between. */
const CONFLICT_RETRIES = 3;

export function registerConfig(program: Command, context: CliContext): void {
  const config = program
    .command('config')
    .description("the facility's settings (config/stuf_config.json) or, with --metadata, the metadata fields (config/metadata_config.json); admins only");

  const get = config
    .command('get')
    .description('print the settings as JSON, or one value by its dotted path')
    .argument('[path]', 'e.g. uploads.maxFileSizeBytes or fields.0.required')
    .option('--metadata', 'the metadata field definitions instead of the facility settings');
  withConnection(get);
  get.action(async (keyPath: string | undefined, options: ConnectionOptions & DocumentOption) => {
    const { client } = clientFor(options);
    const document = await read(client, options, context.signal);
    let value: unknown = document;
    for (const segment of segments(keyPath)) {
      if (value === null || typeof value !== 'object' || !Object.hasOwn(value, segment)) throw new CliError(`no setting ${keyPath}`, EXIT.NOT_FOUND);
      value = (value as Record<string, unknown>)[segment];
    }
    context.out(`${JSON.stringify(value, null, 2)}\n`);
  });

  const set = config
    .command('set')
    .description(
      'change one value (JSON, or else taken as text; "-" reads it from stdin, e.g. for secrets) and publish the result, ' +
        'or publish a whole document with --file',
    )
    .argument('[path]', 'e.g. uploads.maxFileSizeBytes, notifications.zulip.apiKey')
    .argument('[value]', 'e.g. 1048576, true, "Pilot", ["pdf","csv"], null')
    .option('--metadata', 'the metadata field definitions instead of the facility settings')
    .option('--file <file>', 'a whole document (as `stuf config get` prints it) to publish instead of one value');
  withConnection(set);
  set.action(async (keyPath: string | undefined, rawValue: string | undefined, options: ConnectionOptions & DocumentOption & { file?: string }) => {
    const { client } = clientFor(options);
    let change: (document: Record<string, unknown>) => Record<string, unknown>;
    if (options.file) {
      if (keyPath !== undefined) throw new CliError('give either --file or a path and a value', EXIT.USAGE);
      const replacement = await readJsonFile(options.file);
      change = () => replacement;
    } else {
      if (keyPath === undefined || rawValue === undefined) throw new CliError('give a path and a value (or --file)', EXIT.USAGE);
      const value = parseValue(rawValue === '-' ? (await text(process.stdin)).replace(/\r?\n$/, '') : rawValue);
      change = (document) => withValue(document, segments(keyPath), value, keyPath);
    }
    for (let attempt = 1; ; attempt++) {
      const current = await read(client, options, context.signal);
      const result = await publish(client, options, current.revision as number, change(structuredClone(current)), context.signal);
      if (result.__typename === 'RevisionConflictError' && !options.file && attempt < CONFLICT_RETRIES) continue;
      switch (result.__typename) {
        case 'UpdateStufConfigPayload':
        case 'UpdateMetadataConfigPayload':
          context.out(`Published revision ${result.revision}.\n`);
          return;
        case 'ValidationError':
          throw new CliError(`refused:\n${result.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n')}`, EXIT.REFUSED);
        case 'RevisionConflictError':
          throw new CliError(`someone else published revision ${result.currentRevision} meanwhile; read it and try again`, EXIT.REFUSED);
        default: {
          // A failure type added to the schema after this CLI was built.
          const unknown = result as { code?: string; message?: string };
          throw new CliError(`${unknown.code}: ${unknown.message}`, EXIT.REFUSED);
        }
      }
    }
  });
}

function read(client: StufClient, options: DocumentOption, signal: AbortSignal): Promise<Record<string, unknown>> {
  return options.metadata ? client.metadataConfig({ signal }) : client.stufConfig({ signal });
}

function publish(client: StufClient, options: DocumentOption, revision: number, config: unknown, signal: AbortSignal): Promise<UpdateStufConfigResult | UpdateMetadataConfigResult> {
  return options.metadata ? client.updateMetadataConfig({ revision, config }, { signal }) : client.updateStufConfig({ revision, config }, { signal });
}

function segments(keyPath: string | undefined): string[] {
  return keyPath ? keyPath.split('.') : [];
}

/** JSON when it parses (numbers, booleans, null, lists, objects), else the text itself. */
function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** A copy of `document` with `value` at `path`; the parent must exist (a typo is an error, not a new setting). */
function withValue(document: Record<string, unknown>, path: string[], value: unknown, keyPath: string): Record<string, unknown> {
  let parent: unknown = document;
  for (const segment of path.slice(0, -1)) {
    if (parent === null || typeof parent !== 'object' || !Object.hasOwn(parent, segment)) throw new CliError(`no setting ${keyPath}`, EXIT.NOT_FOUND);
    parent = (parent as Record<string, unknown>)[segment];
  }
  if (parent === null || typeof parent !== 'object') throw new CliError(`no setting ${keyPath}`, EXIT.NOT_FOUND);
  (parent as Record<string, unknown>)[path.at(-1)!] = value;
  return document;
}

async function readJsonFile(file: string): Promise<Record<string, unknown>> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`, EXIT.USAGE);
  }
  try {
    return JSON.parse(content) as Record<string, unknown>;
  } catch (error) {
    throw new CliError(`${file} is not JSON: ${(error as Error).message}`, EXIT.USAGE);
  }
}
