import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  AbortMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { ConformanceTarget } from './driver-conformance.js';
import { RequestCounter, createS3Client } from './s3-client.js';
import { createS3Driver, type S3Driver } from './s3-driver.js';
import { resolveS3Options, type S3DriverOptions } from './s3-options.js';

/** Test-only helpers for running against a real S3 endpoint given by the S3_* environment (see scripts/local-s3). */

/** Driver options from S3_ENDPOINT / S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY / S3_REGION for `bucket`; undefined without S3_ENDPOINT. */
export function s3TestOptions(bucket: string, env: NodeJS.ProcessEnv = process.env): S3DriverOptions | undefined {
  if (!env.S3_ENDPOINT) return undefined;
  return {
    bucket,
    endpoint: env.S3_ENDPOINT,
    region: env.S3_REGION || 'us-east-1',
    forcePathStyle: env.S3_FORCE_PATH_STYLE ? env.S3_FORCE_PATH_STYLE === 'true' : true,
    credentials:
      env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY
        ? { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY }
        : undefined,
    createBucket: true,
  };
}

/** A bucket name no other run uses (lowercase, DNS-safe, ≤ 63 characters). */
export function uniqueBucketName(label = 'test'): string {
  return `stuf-${label}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`.slice(0, 63);
}

/** The multipart uploads in progress in `bucket` (first 1,000), e.g. to prove that an interrupted upload was aborted. */
export async function listOpenMultipartUploads(client: S3Client, bucket: string): Promise<{ key: string; uploadId: string }[]> {
  const page = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return (page.Uploads ?? []).map((upload) => ({ key: upload.Key ?? '', uploadId: upload.UploadId ?? '' }));
}

/** Aborts open multipart uploads, deletes every object, then the bucket, so the test store does not fill up. */
export async function deleteBucketAndContents(client: S3Client, bucket: string): Promise<void> {
  const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  for (const upload of uploads.Uploads ?? []) {
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }));
  }
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    const objects = (page.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
    if (objects.length > 0) await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  await client.send(new DeleteBucketCommand({ Bucket: bucket }));
}

/** `setup` for `describeDriverConformance('s3', …)`: a fresh bucket, and a child spec that builds the same driver in another process. */
export async function s3ConformanceSetup(): Promise<ConformanceTarget & { driver: S3Driver }> {
  const bucket = uniqueBucketName('conformance');
  const options = s3TestOptions(bucket);
  if (!options) throw new Error('S3_ENDPOINT is not set');
  const driver = await createS3Driver(options);
  return {
    driver,
    // The suite closes the driver before cleanup, so cleanup brings its own client.
    cleanup: async () => {
      const client = createS3Client(options, resolveS3Options(options), new RequestCounter());
      try {
        await deleteBucketAndContents(client, bucket);
      } finally {
        client.destroy();
      }
    },
    // The child trusts this process's probe of the same store instead of probing again.
    child: {
      module: fileURLToPath(new URL('./s3-driver.ts', import.meta.url)),
      exportName: 'createS3Driver',
      args: { ...options, createBucket: false, behaviour: driver.behaviour },
    },
  };
}

/**
 * The baseline of `pnpm bench upload`: a plain `S3Client` (only the settings any client of this store needs: endpoint,
 * path style, credentials, checksums only when required, which Ceph RGW needs) and a plain lib-storage `Upload`. It uses
 * none of the driver's code (`createS3Client`, `streamedPut`, part pooling), so the driver is measured against
 * something it cannot change. It lives here only because the bench has no dependency on the AWS SDK of its own.
 */
export function createPlainS3Client(options: S3DriverOptions): S3Client {
  return new S3Client({
    region: options.region ?? 'us-east-1',
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
    credentials: options.credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** `new Upload({ client, params, partSize, queueSize }).done()`, nothing else (see `createPlainS3Client`). */
export async function plainLibStorageUpload(
  client: S3Client,
  params: PutObjectCommandInput & { Bucket: string; Key: string },
  options: { partSizeBytes: number; queueSize: number },
): Promise<{ etag?: string }> {
  const result = await new Upload({ client, params, partSize: options.partSizeBytes, queueSize: options.queueSize }).done();
  return { etag: result.ETag };
}
