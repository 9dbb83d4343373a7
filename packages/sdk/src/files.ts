import { StufError } from './errors.js';

/** Brand of files made by the SDK's helpers (`fileFromPath`, `fileFromStream` in `@stuf/sdk/node`). */
export const STUF_FILE: unique symbol = Symbol.for('@stuf/sdk/file');

/**
 * A file whose bytes are streamed when the request is sent, made by `fileFromPath()` or `fileFromStream()` from
 * `@stuf/sdk/node`. Plain objects are not files: they lack the brand, so they fail to type-check.
 */
export interface StufFile {
  readonly [STUF_FILE]: true;
  /** The name sent to the server (shown and used for downloads). */
  readonly name: string;
  /** MIME type sent with the bytes. */
  readonly type: string;
  /** False for one-shot sources (a Readable can be streamed only once). */
  readonly repeatable: boolean;
  /** The size in bytes if it can be known without reading (used for progress totals). Rejects if unreadable. */
  size(): Promise<number | undefined>;
  /** The bytes, read lazily while the request body is sent. */
  stream(): AsyncIterable<Uint8Array>;
}

/**
 * What `createUpload({ files })` accepts (the `File` scalar): a `Blob` or `File` (browsers and Node), a `Uint8Array`
 * or Node `Buffer`, or a {@link StufFile}. Strings and plain objects are rejected by `tsc` and, at run time, before
 * anything is sent.
 */
export type FileInput = Blob | Uint8Array | StufFile;

/** A file ready to be sent: its name, type, and a way to get its bytes. */
export interface PreparedFile {
  name: string;
  type: string;
  size: number | undefined;
  source: Blob | Uint8Array | StufFile;
}

const DEFAULT_TYPE = 'application/octet-stream';

export function isStufFile(value: unknown): value is StufFile {
  return typeof value === 'object' && value !== null && (value as { [STUF_FILE]?: unknown })[STUF_FILE] === true;
}

function isBlob(value: unknown): value is Blob {
  return typeof Blob !== 'undefined' && value instanceof Blob;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
  if (typeof value !== 'object') return `a ${typeof value}`;
  if (typeof (value as { pipe?: unknown }).pipe === 'function' || Symbol.asyncIterator in value) {
    return 'a stream (wrap it: fileFromStream(stream, { name }) from @stuf/sdk/node)';
  }
  if (value instanceof ArrayBuffer) return 'an ArrayBuffer (wrap it: new Uint8Array(buffer))';
  const constructorName = (value as { constructor?: { name?: string } }).constructor?.name;
  return constructorName && constructorName !== 'Object' ? `a ${constructorName}` : 'a plain object';
}

/**
 * Checks every entry of `files` before anything is sent and describes it for the multipart body. Throws a
 * `StufError` with code `INVALID_INPUT` that names the offending index.
 */
export async function prepareFiles(files: unknown): Promise<PreparedFile[]> {
  if (!Array.isArray(files)) {
    throw new StufError('INVALID_INPUT', `createUpload: "files" must be an array of files, got ${describe(files)}`);
  }
  const prepared: PreparedFile[] = [];
  for (const [index, file] of files.entries()) prepared.push(await prepareFile(file, `createUpload: files[${index}]`));
  return prepared;
}

/** Checks one file before anything is sent; `where` names it in the `INVALID_INPUT` error (e.g. `importUsers: file`). */
export async function prepareFile(file: unknown, where: string): Promise<PreparedFile> {
  if (isBlob(file)) {
    const name = typeof (file as { name?: unknown }).name === 'string' && (file as File).name !== '' ? (file as File).name : 'blob';
    return { name, type: file.type || DEFAULT_TYPE, size: file.size, source: file };
  }
  if (file instanceof Uint8Array) return { name: 'blob', type: DEFAULT_TYPE, size: file.byteLength, source: file };
  if (isStufFile(file)) {
    let size: number | undefined;
    try {
      size = await file.size();
    } catch (error) {
      throw new StufError('INVALID_INPUT', `${where} (${file.name}) cannot be read: ${(error as Error).message}`, { cause: error });
    }
    return { name: file.name, type: file.type || DEFAULT_TYPE, size, source: file };
  }
  throw new StufError(
    'INVALID_INPUT',
    `${where} is ${describe(file)}; expected a Blob or File, a Uint8Array or Buffer, or a file from fileFromPath()/fileFromStream() (@stuf/sdk/node)`,
  );
}
