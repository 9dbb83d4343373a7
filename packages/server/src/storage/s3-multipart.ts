import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { normalizeEtag } from './driver.js';
import { MAX_PARTS } from './s3-options.js';

/** What a streamed put sends with CreateMultipartUpload / PutObject (bucket, key, content type, encryption). */
export type StreamedPutParams = Omit<PutObjectCommandInput, 'Body' | 'ContentLength'> & { Bucket: string; Key: string };

/**
 * Part buffers of one size, reused across streamed puts. A put takes at most queueSize + 1 of them (one filling, up to
 * queueSize uploading) and gives each back once its part is stored. Up to `maxIdle` are kept for the next put; after
 * `idleMs` without any put they are let go, so a server that uploaded once does not keep the memory forever. Let go,
 * not forgotten: V8 frees them at its next full GC, which may well come after the next put, and allocating fresh
 * buffers while the old ones still occupy memory would double the pool's footprint at exactly that moment. So they
 * are held through WeakRefs and taken back when still alive.
 */
export class PartBufferPool {
  private idle: Buffer[] = [];
  private released: WeakRef<Buffer>[] = [];
  private inUse = 0;
  private trimTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly partSizeBytes: number,
    private readonly maxIdle: number,
    private readonly idleMs = 10_000,
  ) {}

  take(): Buffer {
    this.inUse++;
    if (this.trimTimer) clearTimeout(this.trimTimer);
    this.trimTimer = undefined;
    // Not zero-filled: only the filled prefix of a part buffer is ever sent.
    return this.idle.pop() ?? this.revive() ?? Buffer.allocUnsafeSlow(this.partSizeBytes);
  }

  /**
   * Hands a buffer back. `reusable: false` (the request that used it failed) drops it instead: a failed request's
   * socket may still be writing from it, so it must not be refilled.
   */
  give(buffer: Buffer, reusable = true): void {
    this.inUse--;
    if (reusable && this.idle.length < this.maxIdle) this.idle.push(buffer);
    if (this.inUse === 0 && this.idle.length > 0 && !this.trimTimer) {
      this.trimTimer = setTimeout(() => this.clear(), this.idleMs);
      this.trimTimer.unref();
    }
  }

  /** Lets the idle buffers go (the driver's `close`, or after `idleMs` idle); see the class comment. */
  clear(): void {
    if (this.trimTimer) clearTimeout(this.trimTimer);
    this.trimTimer = undefined;
    const stillAlive = this.released.filter((ref) => ref.deref() !== undefined);
    this.released = [...stillAlive, ...this.idle.map((buffer) => new WeakRef(buffer))].slice(-this.maxIdle);
    this.idle = [];
  }

  /** Idle buffers kept for reuse (tests). */
  get idleCount(): number {
    return this.idle.length;
  }

  private revive(): Buffer | undefined {
    for (let ref = this.released.pop(); ref; ref = this.released.pop()) {
      const buffer = ref.deref();
      if (buffer) return buffer;
    }
    return undefined;
  }
}

export interface StreamedMultipartOptions {
  queueSize: number;
  pool: PartBufferPool;
  /** S3's 10,000 unless a test says otherwise. */
  maxParts?: number;
}

/**
 * Streams `body` to S3: one PutObject when it ends within one part, else a multipart upload (CreateMultipartUpload,
 * UploadPart with a known ContentLength, up to `queueSize` parts in flight, CompleteMultipartUpload). Returns the
 * stored object's ETag, normalized.
 *
 * Why not lib-storage's `Upload` (which the driver still uses for in-memory bodies): fed a stream, it keeps every
 * incoming chunk of a part (64 KiB socket chunks from an HTTP upload) until the part is full and then `Buffer.concat`s
 * them into a new part-sized buffer, so each part exists twice for a while, the chunks survive long enough to be
 * promoted, and all of it waits for V8's external-memory GC. Its Upload also cannot be handed reusable buffers. Here each
 * chunk is copied into a pooled part buffer as it arrives and nothing else keeps it; parts are never concatenated; a
 * put holds (queueSize + 1) × partSize, allocated once and reused by the next put. Measured on a 512 MiB upload
 * (bench/README.md): peak RSS 181–183 → 168–170 MB at 8 MiB × 4 and 149–164 → 135–138 MB at 5 MiB × 2, server CPU
 * about halved. What remains above the part buffers is the socket chunks' own garbage (~25–35 MB), which V8 frees on
 * its external-memory schedule.
 *
 * Nothing dangles: on any failure (a part, Complete, or the source stream erroring) it waits for the parts in flight
 * to settle, then aborts the multipart upload, and rejects with the original error (the source's error object itself
 * when the source failed). The source stream is not destroyed when the store fails; that is the caller's decision.
 */
export async function streamedMultipartPut(
  client: S3Client,
  params: StreamedPutParams,
  body: Readable,
  options: StreamedMultipartOptions,
): Promise<string> {
  const { pool, queueSize, maxParts = MAX_PARTS } = options;
  const partSize = pool.partSizeBytes;
  const { Bucket, Key } = params;
  let buffer: Buffer | undefined = pool.take();
  let filled = 0;
  let uploadId: string | undefined;
  let partNumber = 0;
  const parts: CompletedPart[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;

  const uploadPart = (part: Buffer, length: number): void => {
    const number = ++partNumber;
    const task = client
      .send(new UploadPartCommand({ Bucket, Key, UploadId: uploadId, PartNumber: number, Body: part.subarray(0, length), ContentLength: length }))
      .then(
        (result) => {
          pool.give(part);
          if (!result.ETag) throw new Error(`S3 UploadPart ${number} of ${Key} answered without an ETag`);
          parts[number - 1] = { PartNumber: number, ETag: result.ETag };
        },
        (error: unknown) => {
          pool.give(part, false);
          throw error;
        },
      )
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  };

  /** Waits until fewer than `queueSize` parts are in flight; throws the first part failure. */
  const waitForSlot = async (): Promise<void> => {
    while (inFlight.size >= queueSize && !failure) await Promise.race(inFlight);
    if (failure) throw failure.error;
  };

  /** Sends the full buffer as the next part (once a slot is free) and goes on filling a fresh one meanwhile. */
  const flushFullPart = async (): Promise<void> => {
    if (partNumber + 1 >= maxParts) {
      // The next byte would need part maxParts + 1: fail (and abort) now rather than after uploading the rest.
      throw new RangeError(`${Key} is larger than ${maxParts} parts of ${partSize} bytes (S3's limit) allow`);
    }
    uploadId ??= await createMultipartUpload(client, params);
    await waitForSlot();
    uploadPart(buffer!, partSize);
    buffer = pool.take();
    filled = 0;
  };

  try {
    // Not destroyed on an early exit (a part failed): like lib-storage, the caller decides what happens to its stream.
    for await (const chunk of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Uint8Array | string>) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (failure) throw failure.error;
      for (let offset = 0; offset < bytes.length; ) {
        // A full buffer is sent only once more bytes arrive, so a body of exactly one part stays a single PutObject.
        if (filled === partSize) await flushFullPart();
        const copied = bytes.copy(buffer!, filled, offset);
        filled += copied;
        offset += copied;
      }
    }
    if (uploadId === undefined) {
      const single = buffer!;
      buffer = undefined;
      let result;
      try {
        result = await client.send(new PutObjectCommand({ ...params, Body: single.subarray(0, filled), ContentLength: filled }));
      } catch (error) {
        pool.give(single, false);
        throw error;
      }
      pool.give(single);
      return result.ETag ? normalizeEtag(result.ETag) : headEtag(client, Bucket, Key);
    }
    await waitForSlot();
    uploadPart(buffer!, filled);
    buffer = undefined;
    await Promise.all(inFlight);
    if (failure) throw failure.error;
    const result = await client.send(
      new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: uploadId, MultipartUpload: { Parts: parts } }),
    );
    if (result.ETag) return normalizeEtag(result.ETag);
    // Ceph RGW answers CompleteMultipartUpload with an empty ETag. S3 (and RGW) define a multipart object's ETag from
    // its parts' ETags, which are in hand: no HEAD needed. A store whose part ETags are not MD5s gets its HEAD.
    return multipartEtag(parts.map((part) => part.ETag!)) ?? headEtag(client, Bucket, Key);
  } catch (error) {
    if (buffer) pool.give(buffer); // the buffer being filled: no request has used it
    if (uploadId !== undefined) {
      await Promise.all(inFlight);
      await client
        .send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId }))
        .catch(() => undefined); // the original failure is what the caller needs to see (the SDK already retried)
    }
    throw error;
  }
}

async function createMultipartUpload(client: S3Client, params: StreamedPutParams): Promise<string> {
  const result = await client.send(new CreateMultipartUploadCommand(params));
  if (!result.UploadId) throw new Error(`S3 CreateMultipartUpload of ${params.Key} answered without an UploadId`);
  return result.UploadId;
}

async function headEtag(client: S3Client, Bucket: string, Key: string): Promise<string> {
  const head = await client.send(new HeadObjectCommand({ Bucket, Key }));
  return normalizeEtag(head.ETag ?? '');
}

const MD5_HEX = /^[0-9a-f]{32}$/i;

/**
 * The ETag S3 gives a multipart object: hex MD5 of the concatenated binary part ETags (each the MD5 of its part),
 * then `-<number of parts>`. Undefined when a part ETag is not a plain MD5 (e.g. SSE-KMS on AWS, which however
 * always answers CompleteMultipartUpload with the ETag itself).
 */
export function multipartEtag(partEtags: readonly string[]): string | undefined {
  const hash = createHash('md5');
  for (const etag of partEtags) {
    const hex = normalizeEtag(etag);
    if (!MD5_HEX.test(hex)) return undefined;
    hash.update(Buffer.from(hex, 'hex'));
  }
  return `${hash.digest('hex')}-${partEtags.length}`;
}
