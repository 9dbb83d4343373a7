import { Readable } from 'node:stream';
import { AbortMultipartUploadCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { normalizeEtag, type PutBody } from './driver.js';
import { ConditionalPutTooLargeError } from './s3-errors.js';
import { PartBufferPool, streamedMultipartPut, type StreamedPutParams } from './s3-multipart.js';

/** Reads a put body into memory, refusing more than `limitBytes` (conditional puts must be one request). */
export async function bufferBody(body: PutBody, limitBytes: number, key: string): Promise<Uint8Array> {
  if (typeof body === 'string') body = Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) {
    if (body.byteLength > limitBytes) throw new ConditionalPutTooLargeError(key, limitBytes);
    return body;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  // Leaving the loop early (throw) destroys the stream, so an oversized upload stops being read at once.
  for await (const chunk of body as AsyncIterable<Buffer | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += bytes.byteLength;
    if (total > limitBytes) throw new ConditionalPutTooLargeError(key, limitBytes);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, total);
}

export interface StreamedPutOptions {
  partSizeBytes: number;
  queueSize: number;
  /** Part buffers for streamed bodies (the driver keeps one pool); without one the put allocates its own. */
  pool?: PartBufferPool;
}

/**
 * An unconditional put of any size. Streams go through `streamedMultipartPut` (pooled part buffers; see there why not
 * lib-storage); in-memory bodies through lib-storage's `Upload`, which slices them into parts without copying: one
 * PutObject when they fit in a part, else a multipart upload with `queueSize` parts in flight. Any failure (including
 * the source stream erroring) aborts the multipart upload before this rejects, so no parts are left behind. Returns
 * the stored object's ETag, normalized.
 */
export async function streamedPut(
  client: S3Client,
  params: StreamedPutParams,
  body: Readable | Uint8Array | string,
  options: StreamedPutOptions,
): Promise<string> {
  if (body instanceof Readable) {
    const pool = options.pool ?? new PartBufferPool(options.partSizeBytes, 0);
    if (pool.partSizeBytes !== options.partSizeBytes) throw new RangeError('streamedPut: the pool holds parts of another size');
    return streamedMultipartPut(client, params, body, { pool, queueSize: options.queueSize });
  }
  const upload = new Upload({
    client,
    params: { ...params, Body: body },
    partSize: options.partSizeBytes,
    queueSize: options.queueSize,
    leavePartsOnError: false,
  });
  let etag: string | undefined;
  try {
    etag = (await upload.done()).ETag;
  } catch (error) {
    await abortIfLeftOpen(client, upload, params);
    throw error;
  }
  if (etag) return normalizeEtag(etag);
  // Ceph RGW answers CompleteMultipartUpload with an empty ETag; lib-storage keeps the parts' ETags to itself, so
  // the object's HEAD has to tell. (In-memory bodies larger than a part are rare: JSON documents are small.)
  const head = await client.send(new HeadObjectCommand({ Bucket: params.Bucket, Key: params.Key }));
  return normalizeEtag(head.ETag ?? '');
}

/**
 * lib-storage aborts on failure itself, but if that abort request failed the upload stays open (and keeps its parts'
 * storage). It clears its private abort command after a successful abort; when that field is anything but null
 * (including a renamed field in a future version) we abort once more, which costs one request at worst.
 */
async function abortIfLeftOpen(client: S3Client, upload: Upload, params: { Bucket: string; Key: string }): Promise<void> {
  if (!upload.uploadId) return;
  if ((upload as unknown as { abortMultipartUploadCommand?: unknown }).abortMultipartUploadCommand === null) return;
  await client
    .send(new AbortMultipartUploadCommand({ Bucket: params.Bucket, Key: params.Key, UploadId: upload.uploadId }))
    .catch(() => undefined); // the original failure is what the caller needs to see
}
