/**
 * @stuf/sdk/node — everything from `@stuf/sdk`, plus files from disk and from Node streams, streamed while the
 * request is sent (never read into memory).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { STUF_FILE, type StufFile } from './files.js';

export * from './index.js';

export interface FileOptions {
  /** The name sent to the server (default: the file's base name). */
  name?: string;
  /** MIME type (default: guessed from the name's extension, else `application/octet-stream`). */
  type?: string;
}

const TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.csv': 'text/csv',
  '.tsv': 'text/tab-separated-values',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.html': 'text/html',
  '.zip': 'application/zip',
  '.gz': 'application/gzip',
  '.tar': 'application/x-tar',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.mp4': 'video/mp4',
  '.doc': 'application/msword',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xls': 'application/vnd.ms-excel',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.pptx': 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  '.parquet': 'application/vnd.apache.parquet',
};

/** A MIME type for a file name, from its extension. */
export function guessContentType(name: string): string {
  return TYPES[path.extname(name).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * A file on disk, read while the request is sent. Its size is read (and its existence checked) before anything is
 * sent; it can be sent again if a retry is needed.
 */
export function fileFromPath(filePath: string, options: FileOptions = {}): StufFile {
  const name = options.name ?? path.basename(filePath);
  return {
    [STUF_FILE]: true,
    name,
    type: options.type ?? guessContentType(name),
    repeatable: true,
    async size() {
      const info = await stat(filePath);
      if (!info.isFile()) throw new Error(`${filePath} is not a regular file`);
      return info.size;
    },
    stream: () => createReadStream(filePath),
  };
}

/**
 * A Node `Readable` (or any async iterable of bytes) with a known name. It is consumed once, as the request is sent.
 * Give `size` when you know it, for a progress total.
 */
export function fileFromStream(stream: Readable | AsyncIterable<Uint8Array>, options: FileOptions & { name: string; size?: number }): StufFile {
  if (!options?.name) throw new TypeError('fileFromStream: a name is required');
  let consumed = false;
  return {
    [STUF_FILE]: true,
    name: options.name,
    type: options.type ?? guessContentType(options.name),
    repeatable: false,
    size: async () => options.size,
    stream() {
      if (consumed) throw new Error(`fileFromStream(${options.name}): the stream was already sent once`);
      consumed = true;
      return stream as AsyncIterable<Uint8Array>;
    },
  };
}
