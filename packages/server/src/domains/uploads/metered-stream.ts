import { createHash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';

/**
 * Passes bytes through while hashing (SHA-256) and counting them, and fails the stream as soon as more than
 * `maxBytes` went by — so an oversized file is refused while it streams, without being buffered.
 */
export class MeteredStream extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly onLimit: () => Error,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) return callback(this.onLimit());
    this.hash.update(chunk);
    callback(null, chunk);
  }

  /** Hex SHA-256 of everything that passed; call once the stream has ended. */
  digest(): string {
    return this.hash.digest('hex');
  }
}

/** Pipes `source` into a new MeteredStream, forwarding a source failure (e.g. client disconnect) as a stream error. */
export function meter(source: Readable, maxBytes: number, onLimit: () => Error): MeteredStream {
  const metered = new MeteredStream(maxBytes, onLimit);
  source.once('error', (error) => metered.destroy(error));
  // When we refuse the file, keep reading (and discarding) the rest so the request body still drains.
  metered.once('error', () => {
    source.unpipe(metered);
    source.resume();
  });
  source.pipe(metered);
  return metered;
}
