/**
 * The GraphQL multipart request spec (https://github.com/jaydenseric/graphql-multipart-request-spec): an `operations`
 * field (the request with `null` where files go), a `map` field (file part name → variable paths), then one part per
 * file. Built by hand so the body can be streamed, counted for progress, and never held in memory.
 */
import type { PreparedFile } from './files.js';

export interface MultipartFile {
  /** Where the file goes in the operation, e.g. `variables.input.files.0`. */
  path: string;
  file: PreparedFile;
}

export interface MultipartBody {
  boundary: string;
  contentType: string;
  /** Byte length of the whole body, when every file's size is known. */
  size: number | undefined;
  /** True when reading the body again yields the same bytes (no one-shot stream inside). */
  repeatable: boolean;
  /** The body as a pull stream: nothing is read before the consumer asks for it. */
  stream(onProgress?: (loaded: number) => void): CountedStream;
  /** The same request as a FormData (browsers stream Blobs from FormData natively). Not for one-shot streams. */
  formData(): FormData;
}

export interface CountedStream {
  body: ReadableStream<Uint8Array>;
  /** Bytes handed to the consumer so far (an upper bound of the bytes sent). */
  readonly pulled: number;
  /** The error a file source raised while being read, if any. */
  readonly sourceError: unknown;
  /**
   * Ends the body for good: the file being read is closed and further reads fail. Called when the request is aborted
   * or over — an HTTP client may otherwise keep draining the body after an abort (undici does).
   */
  stop(reason?: unknown): void;
}

const encoder = new TextEncoder();
const CHUNK = 64 * 1024;

function randomBoundary(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return `----StufFormBoundary${Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

/** Field and file names in part headers are escaped as browsers do (WHATWG HTML, multipart/form-data encoding). */
export function escapeHeaderValue(value: string): string {
  return value.replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/"/g, '%22');
}

/** JSON-encodes `operations` and `map` for the files at their paths (the files' places must already be `null`). */
export function createMultipartBody(operations: unknown, files: MultipartFile[], boundary = randomBoundary()): MultipartBody {
  const operationsJson = JSON.stringify(operations);
  const mapJson = JSON.stringify(Object.fromEntries(files.map(({ path }, index) => [String(index), [path]])));
  const field = (name: string, value: string) =>
    encoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  const segments: (Uint8Array | PreparedFile)[] = [field('operations', operationsJson), field('map', mapJson)];
  files.forEach(({ file }, index) => {
    segments.push(
      encoder.encode(
        `--${boundary}\r\nContent-Disposition: form-data; name="${index}"; filename="${escapeHeaderValue(file.name)}"\r\n` +
          `Content-Type: ${file.type.replace(/[\r\n]/g, '')}\r\n\r\n`,
      ),
      file,
      encoder.encode('\r\n'),
    );
  });
  segments.push(encoder.encode(`--${boundary}--\r\n`));

  let size: number | undefined = 0;
  for (const segment of segments) {
    const length = segment instanceof Uint8Array ? segment.byteLength : segment.size;
    size = size === undefined || length === undefined ? undefined : size + length;
  }

  return {
    boundary,
    contentType: `multipart/form-data; boundary=${boundary}`,
    size,
    repeatable: files.every(({ file }) => !isOneShot(file)),
    stream: (onProgress) => countedStream(segments, onProgress),
    formData() {
      const form = new FormData();
      form.append('operations', operationsJson);
      form.append('map', mapJson);
      files.forEach(({ file }, index) => {
        const { source } = file;
        if (source instanceof Uint8Array) form.append(String(index), new Blob([source as Uint8Array<ArrayBuffer>], { type: file.type }), file.name);
        else if (source instanceof Blob) form.append(String(index), source, file.name);
        else throw new Error('A streamed file cannot be sent as FormData');
      });
      return form;
    },
  };
}

function isOneShot(file: PreparedFile): boolean {
  return !(file.source instanceof Uint8Array) && !(file.source instanceof Blob) && !file.source.repeatable;
}

async function* chunksOf(segments: (Uint8Array | PreparedFile)[]): AsyncGenerator<Uint8Array> {
  for (const segment of segments) {
    const source = segment instanceof Uint8Array ? segment : segment.source;
    if (source instanceof Uint8Array) {
      for (let offset = 0; offset < source.byteLength; offset += CHUNK) yield source.subarray(offset, offset + CHUNK);
    } else if (source instanceof Blob) {
      const reader = source.stream().getReader();
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          yield value;
        }
      } finally {
        reader.releaseLock();
      }
    } else {
      for await (const chunk of source.stream()) {
        yield typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
      }
    }
  }
}

function countedStream(segments: (Uint8Array | PreparedFile)[], onProgress?: (loaded: number) => void): CountedStream {
  const iterator = chunksOf(segments);
  const state = { pulled: 0, sourceError: undefined as unknown, stopped: undefined as { reason: unknown } | undefined };
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        // A function, not the property: TypeScript would keep its narrowing across the await below.
        const stopped = () => state.stopped;
        const before = stopped();
        if (before) {
          controller.error(before.reason);
          return;
        }
        let next: IteratorResult<Uint8Array>;
        try {
          next = await iterator.next();
        } catch (error) {
          const during = stopped();
          if (!during) state.sourceError = error;
          controller.error(during ? during.reason : error);
          return;
        }
        const after = stopped();
        if (after) {
          controller.error(after.reason);
          return;
        }
        if (next.done) {
          controller.close();
          return;
        }
        state.pulled += next.value.byteLength;
        controller.enqueue(next.value);
        onProgress?.(state.pulled);
      },
      async cancel() {
        // Closes the file being read (a Readable is destroyed when its iteration returns early).
        await iterator.return(undefined);
      },
    },
    // Pull only when the consumer reads: a byte counted as pulled is a byte the HTTP client asked for.
    { highWaterMark: 0 },
  );
  return {
    body,
    get pulled() {
      return state.pulled;
    },
    get sourceError() {
      return state.sourceError;
    },
    stop(reason = new Error('The request is over')) {
      if (state.stopped) return;
      state.stopped = { reason };
      // Queued behind a pending read if there is one; closes the file (a Readable is destroyed).
      iterator.return(undefined).catch(() => undefined);
    },
  };
}
