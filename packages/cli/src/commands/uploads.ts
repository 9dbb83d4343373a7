import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidArgumentError, type Command } from 'commander';
import type { StufClient, Upload, UploadFile } from '@stuf/sdk/node';
import { clientFor, progressEnabled, withConnection, withProgressOption, type ConnectionOptions } from '../connection.js';
import { CliError, EXIT } from '../exit-codes.js';
import { formatBytes, formatMetadata, safeLocalName, table, uniqueName } from '../format.js';
import { createProgress, type ProgressBar } from '../progress.js';
import type { CliContext } from '../program.js';

interface ListOptions extends ConnectionOptions {
  first: number;
  after?: string;
  search?: string;
  all?: boolean;
  json?: boolean;
}

interface DownloadOptions extends ConnectionOptions {
  out: string;
  force?: boolean;
  progress?: boolean;
}

function pageSize(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > 100) throw new InvalidArgumentError('expected a whole number from 1 to 100');
  return number;
}

export function registerUploads(program: Command, context: CliContext): void {
  const uploads = program.command('uploads').description('list and download uploads');

  const list = uploads
    .command('list')
    .description('list uploads, newest first')
    .option('-n, --first <count>', 'page size, 1–100', pageSize, 20)
    .option('--after <cursor>', 'continue after this cursor (printed at the end of a page)')
    .option('-s, --search <text>', 'only uploads whose file names or metadata contain this text')
    .option('--all', 'every matching upload, not just one page')
    .option('--json', 'print JSON instead of a table');
  withConnection(list);
  list.action(async (options: ListOptions) => {
    const { client } = clientFor(options);
    const signal = context.signal;
    let rows: Upload[];
    let totalCount: number;
    let endCursor: string | null = null;
    let hasNextPage = false;
    if (options.all) {
      rows = [];
      for await (const upload of client.iterateUploads({ search: options.search, first: 100 }, { signal })) rows.push(upload);
      totalCount = rows.length;
    } else {
      const page = await client.uploads({ first: options.first, after: options.after, search: options.search }, { signal });
      rows = page.edges.map((edge) => edge.node);
      totalCount = page.totalCount;
      endCursor = page.pageInfo.endCursor;
      hasNextPage = page.pageInfo.hasNextPage;
    }
    if (options.json) {
      context.out(`${JSON.stringify({ totalCount, hasNextPage, endCursor, uploads: rows }, null, 2)}\n`);
      return;
    }
    if (rows.length === 0) {
      context.out('No uploads.\n');
      return;
    }
    context.out(
      table(
        ['ID', 'CREATED', 'FILES', 'SIZE', 'UPLOADER', 'METADATA'],
        rows.map((upload) => [
          upload.id,
          upload.createdAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
          upload.files.length === 1 ? upload.files[0]!.name : `${upload.files.length} files`,
          formatBytes(upload.files.reduce((sum, file) => sum + file.size, 0)),
          upload.uploader.id,
          formatMetadata(upload.metadata),
        ]),
      ),
    );
    context.err(`${rows.length} of ${totalCount} upload${totalCount === 1 ? '' : 's'}${hasNextPage ? ` — next page: --after ${endCursor}` : ''}\n`);
  });

  const download = uploads
    .command('download')
    .description("download an upload's files (verified against their SHA-256)")
    .argument('<id>', 'the upload id (see `stuf uploads list`)')
    .option('-o, --out <dir>', 'directory to write the files to (created if missing)', '.')
    .option('-f, --force', 'overwrite files that already exist');
  withProgressOption(download, 'download');
  withConnection(download);
  download.action(async (id: string, options: DownloadOptions) => {
    const { client } = clientFor(options);
    const upload = await client.upload(id, { signal: context.signal });
    if (!upload) throw new CliError(`no upload with id ${id}`, EXIT.NOT_FOUND);
    await mkdir(options.out, { recursive: true });
    const taken = new Set<string>();
    const targets = upload.files.map((file) => {
      const name = uniqueName(safeLocalName(file.name), taken);
      taken.add(name);
      return { file, target: path.join(options.out, name) };
    });
    if (!options.force) {
      for (const { target } of targets) {
        if (await stat(target).catch(() => undefined)) throw new CliError(`${target} already exists (use --force to overwrite)`, EXIT.USAGE);
      }
    }
    const progress = createProgress(process.stderr, progressEnabled(options.progress));
    try {
      for (const { file, target } of targets) {
        await downloadFile(client, file, target, progress.bar(`${truncate(file.name, 24).padEnd(24)}`, file.size), context.signal);
        context.out(`${target}  ${formatBytes(file.size)}  sha256:${file.sha256}\n`);
      }
    } finally {
      progress.stop();
    }
  });
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Streams one file to `<target>.part`, hashing it on the way, then renames it into place if the SHA-256 matches. */
async function downloadFile(client: StufClient, file: UploadFile, target: string, bar: ProgressBar, signal?: AbortSignal): Promise<void> {
  const response = await client.download(file, { signal });
  if (!response.body) throw new CliError(`could not download ${file.name}: the answer has no body`, EXIT.UNAVAILABLE);
  const length = Number(response.headers.get('content-length') ?? NaN);
  const total = Number.isFinite(length) ? length : undefined;
  bar.update(0, total);
  const hash = createHash('sha256');
  let received = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      received += chunk.length;
      bar.update(received);
      callback(null, chunk);
    },
  });
  const partial = `${target}.part`;
  try {
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>), meter, createWriteStream(partial));
  } catch (error) {
    await rm(partial, { force: true });
    if (signal?.aborted) throw new CliError('interrupted', EXIT.INTERRUPTED);
    throw new CliError(`download of ${file.name} failed: ${(error as Error).message}`, EXIT.UNAVAILABLE);
  }
  bar.done();
  const digest = hash.digest('hex');
  if (digest !== file.sha256 || (total !== undefined && received !== total)) {
    await rm(partial, { force: true });
    throw new CliError(`${file.name}: downloaded bytes do not match (sha256 ${digest}, expected ${file.sha256})`, EXIT.INTEGRITY);
  }
  await rename(partial, target);
}
