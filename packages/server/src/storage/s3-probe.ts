import { randomUUID } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { normalizeEtag } from './driver.js';
import { StorageUnavailableError } from './errors.js';
import { describeS3Error, httpStatusOf } from './s3-errors.js';

/** How the store treats conditional requests; detected once at startup by `probeStore`, never configured by hand. */
export interface S3StoreBehaviour {
  /** How `If-Match` on PutObject wants the ETag: with its quotes (AWS, MinIO) or bare (Ceph RGW answers 412 to quotes). */
  ifMatchEtagForm: 'quoted' | 'unquoted';
  /** Status for `If-Match` on a missing key: 404 (AWS), or 412 (RGW), in which case a 412 needs a HEAD to be told apart. */
  ifMatchMissingStatus: 404 | 412;
  /** How `If-None-Match` on GetObject wants the ETag; `unsupported` means the driver compares ETags itself. */
  ifNoneMatchEtagForm: 'quoted' | 'unquoted' | 'unsupported';
  /** Whether DeleteObject honours `If-Match`; RGW ignores it (and deletes), so the driver HEADs and compares first. */
  conditionalDelete: boolean;
}

/** Key prefix of the short-lived probe objects: outside every prefix the application lists. */
export const PROBE_PREFIX = '.stuf-probe/';

const FAKE_ETAG = '0123456789abcdef0123456789abcdef';

/** Formats an ETag for a conditional header in the form the store accepts. */
export function etagHeader(etag: string, form: 'quoted' | 'unquoted'): string {
  const bare = normalizeEtag(etag);
  return form === 'quoted' ? `"${bare}"` : bare;
}

async function statusOf(request: Promise<unknown>): Promise<number> {
  try {
    const result = (await request) as { $metadata?: { httpStatusCode?: number } };
    return result.$metadata?.httpStatusCode ?? 200;
  } catch (error) {
    const status = httpStatusOf(error);
    if (status === undefined) throw error;
    return status;
  }
}

const ok = (status: number): boolean => status >= 200 && status < 300;

/**
 * Writes, conditionally rewrites, conditionally reads and deletes a probe object to learn how this store handles
 * conditions (about ten requests). Throws `StorageUnavailableError` when the store cannot give the guarantees the
 * application relies on: create-only puts (`If-None-Match: *`) and compare-and-swap puts (`If-Match`).
 */
export async function probeStore(client: S3Client, bucket: string, where: string): Promise<S3StoreBehaviour> {
  const key = `${PROBE_PREFIX}${randomUUID()}`;
  const missingKey = `${key}-missing`;
  const put = (body: string, condition: { IfNoneMatch?: string; IfMatch?: string }, target = key) =>
    client.send(new PutObjectCommand({ Bucket: bucket, Key: target, Body: body, ...condition }));
  const refuse = (what: string) =>
    new StorageUnavailableError(`${where} ${what}; STUF needs it for safe concurrent writes and will not start`);

  try {
    const created = await put('probe', { IfNoneMatch: '*' }).catch((error: unknown) => {
      throw refuse(`rejected a create-only PutObject (If-None-Match: *) with ${describeS3Error(error)}`);
    });
    const again = await statusOf(put('probe-again', { IfNoneMatch: '*' }));
    if (ok(again)) throw refuse('does not honour create-only writes (If-None-Match: * overwrote an existing object)');
    if (again !== 412) throw refuse(`answered HTTP ${again} instead of 412 to a create-only write on an existing key`);

    let etag = normalizeEtag(created.ETag ?? '');
    let ifMatchEtagForm: S3StoreBehaviour['ifMatchEtagForm'] | undefined;
    for (const form of ['quoted', 'unquoted'] as const) {
      try {
        const rewritten = await put('probe', { IfMatch: etagHeader(etag, form) });
        etag = normalizeEtag(rewritten.ETag ?? etag);
        ifMatchEtagForm = form;
        break;
      } catch (error) {
        if (httpStatusOf(error) !== 412) throw error;
      }
    }
    if (!ifMatchEtagForm) throw refuse('rejected If-Match with the current ETag, quoted and unquoted');
    const wrong = await statusOf(put('probe-wrong', { IfMatch: etagHeader(FAKE_ETAG, ifMatchEtagForm) }));
    if (ok(wrong)) throw refuse('ignores If-Match on PutObject (a write with a wrong ETag succeeded)');

    const missing = await statusOf(put('probe-missing', { IfMatch: etagHeader(etag, ifMatchEtagForm) }, missingKey));
    if (ok(missing)) throw refuse('ignores If-Match on a missing key (the write created the object)');
    if (missing !== 404 && missing !== 412) throw refuse(`answered HTTP ${missing} to If-Match on a missing key`);

    let ifNoneMatchEtagForm: S3StoreBehaviour['ifNoneMatchEtagForm'] = 'unsupported';
    for (const form of ['quoted', 'unquoted'] as const) {
      const status = await statusOf(
        client.send(new GetObjectCommand({ Bucket: bucket, Key: key, IfNoneMatch: etagHeader(etag, form) })).then((r) => {
          r.Body?.transformToString().catch(() => undefined); // drain so the socket is reused
          return r;
        }),
      );
      if (status === 304) {
        ifNoneMatchEtagForm = form;
        break;
      }
    }

    const deleteStatus = await statusOf(
      client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, IfMatch: etagHeader(FAKE_ETAG, ifMatchEtagForm) })),
    );
    // RGW answers 204 and deletes anyway; only a 412 proves the condition was evaluated.
    return { ifMatchEtagForm, ifMatchMissingStatus: missing, ifNoneMatchEtagForm, conditionalDelete: deleteStatus === 412 };
  } finally {
    await Promise.allSettled([key, missingKey].map((k) => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: k }))));
  }
}
