import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { PartBufferPool, multipartEtag, streamedMultipartPut } from './s3-multipart.js';

const MiB = 1024 * 1024;
const PART = 5 * MiB;
const params = { Bucket: 'b', Key: 'k', ContentType: 'application/octet-stream' };

interface SentCommand {
  name: string;
  input: Record<string, unknown>;
}

/**
 * An S3Client stand-in that records commands, stores part bodies (copied: the writer reuses its buffers) and answers
 * like S3: part ETags are the MD5 of the part, Complete answers with `completeEtag` (RGW: empty).
 */
function fakeS3(options: { failPart?: number; completeEtag?: string; partDelayMs?: number; failCreate?: boolean } = {}) {
  const sent: SentCommand[] = [];
  const parts = new Map<number, Buffer>();
  let inFlightParts = 0;
  let maxInFlightParts = 0;
  let stored: Buffer | undefined;
  let partsInFlightAtAbort: number | undefined;
  const client = {
    async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      const name = command.constructor.name.replace(/Command$/, '');
      sent.push({ name, input: command.input });
      switch (name) {
        case 'CreateMultipartUpload':
          if (options.failCreate) throw Object.assign(new Error('create refused'), { $metadata: { httpStatusCode: 503 } });
          return { UploadId: 'upload-1' };
        case 'UploadPart': {
          inFlightParts++;
          maxInFlightParts = Math.max(maxInFlightParts, inFlightParts);
          try {
            const body = command.input.Body as Buffer;
            expect(command.input.ContentLength).toBe(body.length);
            const copy = Buffer.from(body);
            await new Promise((resolve) => setTimeout(resolve, options.partDelayMs ?? 1));
            if (command.input.PartNumber === options.failPart) {
              throw Object.assign(new Error('part refused'), { $metadata: { httpStatusCode: 500 } });
            }
            parts.set(command.input.PartNumber as number, copy);
            return { ETag: `"${createHash('md5').update(copy).digest('hex')}"` };
          } finally {
            inFlightParts--;
          }
        }
        case 'CompleteMultipartUpload': {
          const list = (command.input.MultipartUpload as { Parts: { PartNumber: number; ETag: string }[] }).Parts;
          expect(list.map((part) => part.PartNumber)).toEqual(list.map((_, i) => i + 1));
          stored = Buffer.concat(list.map((part) => parts.get(part.PartNumber)!));
          return { ETag: options.completeEtag ?? '' };
        }
        case 'PutObject': {
          stored = Buffer.from(command.input.Body as Buffer);
          expect(command.input.ContentLength).toBe(stored.length);
          return { ETag: `"${createHash('md5').update(stored).digest('hex')}"` };
        }
        case 'AbortMultipartUpload':
          partsInFlightAtAbort = inFlightParts;
          return {};
        case 'HeadObject':
          return { ETag: '"from-head"' };
        default:
          throw new Error(`unexpected command ${name}`);
      }
    },
  };
  return {
    client: client as unknown as S3Client,
    names: () => sent.map((command) => command.name),
    count: (name: string) => sent.filter((command) => command.name === name).length,
    stored: () => stored,
    maxInFlightParts: () => maxInFlightParts,
    partsInFlightAtAbort: () => partsInFlightAtAbort,
  };
}

/** A pool that counts how many buffers are taken at once and how many were ever allocated. */
function countingPool(maxIdle: number) {
  const pool = new PartBufferPool(PART, maxIdle);
  let out = 0;
  let maxOut = 0;
  const take = pool.take.bind(pool);
  const give = pool.give.bind(pool);
  pool.take = () => {
    out++;
    maxOut = Math.max(maxOut, out);
    return take();
  };
  pool.give = (buffer, reusable) => {
    out--;
    give(buffer, reusable);
  };
  return { pool, out: () => out, maxOut: () => maxOut };
}

/** `totalBytes` of deterministic bytes in chunks of `chunkBytes` (like 64 KiB socket chunks); optionally fails. */
function source(totalBytes: number, options: { chunkBytes?: number; failAtBytes?: number; failWith?: Error } = {}) {
  const chunkBytes = options.chunkBytes ?? 64 * 1024;
  const all = Buffer.alloc(totalBytes, 0x5a);
  for (let i = 0; i + 4 <= totalBytes; i += 1024) all.writeUInt32BE(i, i); // no two KiB alike
  async function* chunks() {
    for (let sent = 0; sent < totalBytes; sent += chunkBytes) {
      if (options.failAtBytes !== undefined && sent >= options.failAtBytes) throw options.failWith;
      yield Buffer.from(all.subarray(sent, Math.min(sent + chunkBytes, totalBytes)));
    }
  }
  return { stream: Readable.from(chunks()), bytes: all };
}

describe('streamedMultipartPut', () => {
  it('sends a body that ends within one part (exactly one part, too) as one PutObject', async () => {
    for (const size of [0, 1000, PART]) {
      const s3 = fakeS3();
      const { pool, out } = countingPool(5);
      const { stream, bytes } = source(size, { chunkBytes: 100_000 });
      const etag = await streamedMultipartPut(s3.client, params, stream, { pool, queueSize: 4 });
      expect(s3.names()).toEqual(['PutObject']);
      expect(s3.stored()!.equals(bytes)).toBe(true); // (toEqual on MiBs of bytes takes minutes)
      expect(etag).toBe(createHash('md5').update(bytes).digest('hex'));
      expect(out()).toBe(0);
    }
  });

  it('streams a larger body as parts of exactly partSize, with at most queueSize in flight and queueSize + 1 buffers', async () => {
    const s3 = fakeS3({ partDelayMs: 20 });
    const { pool, out, maxOut } = countingPool(5);
    const { stream, bytes } = source(7 * PART + 12345, { chunkBytes: 65_536 - 17 }); // chunks straddle part boundaries
    const etag = await streamedMultipartPut(s3.client, params, stream, { pool, queueSize: 3 });
    expect(s3.names()[0]).toBe('CreateMultipartUpload');
    expect(s3.names().at(-1)).toBe('CompleteMultipartUpload');
    expect(s3.count('UploadPart')).toBe(8);
    expect(s3.count('HeadObject')).toBe(0);
    expect(s3.stored()!.equals(bytes)).toBe(true);
    expect(s3.maxInFlightParts()).toBe(3);
    expect(maxOut()).toBe(4);
    expect(out()).toBe(0);
    expect(pool.idleCount).toBe(4); // reused by the next put
    // RGW answers Complete with an empty ETag: S3's multipart ETag, from the parts' MD5s.
    const partMd5s = Array.from({ length: 8 }, (_, i) => createHash('md5').update(bytes.subarray(i * PART, (i + 1) * PART)).digest());
    expect(etag).toBe(`${createHash('md5').update(Buffer.concat(partMd5s)).digest('hex')}-8`);
  });

  it('returns the ETag CompleteMultipartUpload answers when there is one', async () => {
    const s3 = fakeS3({ completeEtag: '"abc-2"' });
    const { stream } = source(PART + 1);
    const etag = await streamedMultipartPut(s3.client, params, stream, { pool: new PartBufferPool(PART, 0), queueSize: 2 });
    expect(etag).toBe('abc-2');
  });

  it('reuses pooled buffers across puts', async () => {
    const pool = new PartBufferPool(PART, 3);
    const first = fakeS3();
    await streamedMultipartPut(first.client, params, source(3 * PART).stream, { pool, queueSize: 2 });
    const kept = pool.idleCount; // as many as were taken at once (2 or 3, depending on timing)
    expect(kept).toBeGreaterThanOrEqual(2);
    expect(kept).toBeLessThanOrEqual(3);
    const second = fakeS3();
    const { stream, bytes } = source(3 * PART);
    await streamedMultipartPut(second.client, params, stream, { pool, queueSize: 2 });
    expect(second.stored()!.equals(bytes)).toBe(true); // refilled buffers carry no stale bytes
    expect(pool.idleCount).toBeGreaterThanOrEqual(kept);
    expect(pool.idleCount).toBeLessThanOrEqual(3);
  });

  it('lets idle buffers go after idleMs, but takes them back while they are still alive', async () => {
    const pool = new PartBufferPool(PART, 2, 20);
    const a = pool.take();
    const b = pool.take();
    pool.give(a);
    pool.give(b);
    expect(pool.idleCount).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(pool.idleCount).toBe(0); // let go
    // This test still references both, so V8 cannot have freed them: they come back instead of new allocations.
    const again = [pool.take(), pool.take()];
    expect(again.includes(a) && again.includes(b)).toBe(true);
    const third = pool.take();
    expect(third !== a && third !== b).toBe(true);
  });

  it('aborts after the parts in flight settled when the source fails, and rethrows the source error itself', async () => {
    const s3 = fakeS3({ partDelayMs: 30 });
    const { pool, out } = countingPool(5);
    const failure = new Error('client went away');
    const { stream } = source(10 * PART, { failAtBytes: 4 * PART + 100, failWith: failure });
    await expect(streamedMultipartPut(s3.client, params, stream, { pool, queueSize: 4 })).rejects.toBe(failure);
    const names = s3.names();
    expect(names.at(-1)).toBe('AbortMultipartUpload');
    expect(s3.count('AbortMultipartUpload')).toBe(1);
    expect(s3.count('CompleteMultipartUpload')).toBe(0);
    expect(s3.count('UploadPart')).toBe(4);
    expect(s3.partsInFlightAtAbort()).toBe(0); // parts still uploading after an abort could outlive it
    expect(out()).toBe(0);
  });

  it('stops reading and aborts when a part fails, leaving the source stream to the caller', async () => {
    const s3 = fakeS3({ failPart: 2 });
    const { pool, out } = countingPool(5);
    const { stream } = source(20 * PART);
    const error = await streamedMultipartPut(s3.client, params, stream, { pool, queueSize: 2 }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('part refused');
    expect(s3.count('AbortMultipartUpload')).toBe(1);
    expect(s3.names().at(-1)).toBe('AbortMultipartUpload');
    expect(s3.partsInFlightAtAbort()).toBe(0);
    expect(s3.count('UploadPart')).toBeLessThan(8); // it did not read the whole body first
    expect(stream.destroyed).toBe(false);
    expect(out()).toBe(0);
  });

  it('refuses a body that needs more than maxParts parts as soon as it does, and aborts', async () => {
    const s3 = fakeS3();
    const exactly = source(3 * PART);
    await streamedMultipartPut(s3.client, params, exactly.stream, { pool: new PartBufferPool(PART, 4), queueSize: 2, maxParts: 3 });
    expect(s3.count('UploadPart')).toBe(3);
    const tooBig = fakeS3();
    const { stream } = source(10 * PART);
    await expect(
      streamedMultipartPut(tooBig.client, params, stream, { pool: new PartBufferPool(PART, 4), queueSize: 2, maxParts: 3 }),
    ).rejects.toThrow(/larger than 3 parts/);
    expect(tooBig.count('UploadPart')).toBe(2);
    expect(tooBig.names().at(-1)).toBe('AbortMultipartUpload');
  });

  it('has nothing to abort when CreateMultipartUpload fails', async () => {
    const s3 = fakeS3({ failCreate: true });
    const { stream } = source(2 * PART);
    await expect(streamedMultipartPut(s3.client, params, stream, { pool: new PartBufferPool(PART, 1), queueSize: 2 })).rejects.toThrow(
      'create refused',
    );
    expect(s3.names()).toEqual(['CreateMultipartUpload']);
  });
});

describe('multipartEtag', () => {
  it('is the MD5 of the binary part MD5s plus the part count, and undefined for non-MD5 part ETags', () => {
    const md5 = (text: string) => createHash('md5').update(text).digest('hex');
    const expected = createHash('md5')
      .update(Buffer.concat([Buffer.from(md5('a'), 'hex'), Buffer.from(md5('b'), 'hex')]))
      .digest('hex');
    expect(multipartEtag([`"${md5('a')}"`, md5('b')])).toBe(`${expected}-2`);
    expect(multipartEtag([md5('a'), 'not-an-md5'])).toBeUndefined();
  });
});
