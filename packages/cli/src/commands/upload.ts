import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { fileFromPath, type Upload } from '@stuf/sdk/node';
import { clientFor, progressEnabled, withConnection, withProgressOption, type ConnectionOptions } from '../connection.js';
import { CliError, EXIT } from '../exit-codes.js';
import { formatBytes } from '../format.js';
import { createProgress } from '../progress.js';
import type { CliContext } from '../program.js';

interface UploadOptions extends ConnectionOptions {
  meta?: string[];
  json?: boolean;
  progress?: boolean;
}

/** `key=value` pairs → metadata; a key given more than once becomes a list. */
export function parseMeta(pairs: string[]): Record<string, string | string[]> {
  const metadata: Record<string, string | string[]> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new CliError(`--meta expects key=value, got ${JSON.stringify(pair)}`, EXIT.USAGE);
    const key = pair.slice(0, equals).trim();
    const value = pair.slice(equals + 1);
    const existing = metadata[key];
    metadata[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return metadata;
}

export function printUpload(context: CliContext, upload: Upload): void {
  const total = upload.files.reduce((sum, file) => sum + file.size, 0);
  context.out(`Uploaded ${upload.id}: ${upload.files.length} file${upload.files.length === 1 ? '' : 's'}, ${formatBytes(total)}\n`);
  for (const file of upload.files) context.out(`  ${file.name}  ${formatBytes(file.size)}  sha256:${file.sha256}\n`);
}

export function registerUpload(program: Command, context: CliContext): void {
  const command = program
    .command('upload')
    .description('upload files, with governance metadata, as one upload')
    .argument('<files...>', 'files to upload (streamed from disk)')
    .option('-m, --meta <key=value>', 'a metadata field (repeat for more; a repeated key makes a list)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--json', 'print the created upload as JSON');
  withProgressOption(command, 'upload');
  withConnection(command);
  command.addHelpText('after', '\nExample:\n  stuf upload report.pdf data.csv --meta collection=pilot --meta license=confidential\n');
  command.action(async (paths: string[], options: UploadOptions) => {
    const metadata = parseMeta(options.meta ?? []);
    for (const path of paths) {
      const info = await stat(path).catch(() => undefined);
      if (!info) throw new CliError(`cannot read ${path}: no such file`, EXIT.USAGE);
      if (!info.isFile()) throw new CliError(`${path} is not a regular file`, EXIT.USAGE);
    }
    const { client } = clientFor(options);
    const progress = createProgress(process.stderr, progressEnabled(options.progress));
    const bar = progress.bar('Uploading  ', undefined);
    let result;
    try {
      result = await client.createUpload(
        { files: paths.map((path) => fileFromPath(path)), metadata },
        { signal: context.signal, onProgress: ({ loaded, total }) => bar.update(loaded, total) },
      );
      bar.done();
    } finally {
      progress.stop();
    }
    if (result.__typename !== 'CreateUploadPayload') {
      const details =
        result.__typename === 'ValidationError'
          ? result.issues.map((issue) => `\n  ${issue.path.join('.') || '(input)'}: ${issue.message}`).join('')
          : `\n  limit ${result.limit}: ${result.maximum}${result.path.length ? ` at ${result.path.join('.')}` : ''}`;
      throw new CliError(`${result.code}: ${result.message}${details}`, EXIT.REFUSED);
    }
    if (options.json) context.out(`${JSON.stringify(result.upload, null, 2)}\n`);
    else printUpload(context, result.upload);
  });
}
