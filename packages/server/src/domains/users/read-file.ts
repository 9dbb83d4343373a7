import { LimitExceededError } from '../../errors.js';

/** Reads a small uploaded file into memory, refusing it (and draining the rest) past `maxBytes`. */
export async function readUpTo(stream: NodeJS.ReadableStream, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > maxBytes) {
      // Keep reading (and discarding) so the request body drains and the answer gets out.
      for await (const _rest of stream as AsyncIterable<unknown>) void _rest;
      throw new LimitExceededError('FILE_SIZE', maxBytes, `The file is larger than ${maxBytes} bytes`, ['file']);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}
