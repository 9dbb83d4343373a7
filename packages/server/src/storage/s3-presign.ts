import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

export interface PresignGetOptions {
  /** Lifetime of the URL; default 900 s (15 min), at most 7 days (SigV4's limit). */
  expiresInSeconds?: number;
  /** Sent back by the store as the response's `Content-Disposition` (e.g. `attachment; filename*=UTF-8''…`). */
  contentDisposition?: string;
  /** Sent back as the response's `Content-Type`, overriding the stored one. */
  contentType?: string;
}

/** A time-limited GET URL for one object that any plain HTTP client can use; signing makes no request. */
export async function presignGetUrl(client: S3Client, bucket: string, key: string, options: PresignGetOptions = {}): Promise<string> {
  const expiresIn = options.expiresInSeconds ?? 900;
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > 604_800) {
    throw new RangeError('presignGet: expiresInSeconds must be an integer from 1 to 604800');
  }
  const command = new GetObjectCommand({
    Bucket: bucket,
    Key: key,
    ResponseContentDisposition: options.contentDisposition,
    ResponseContentType: options.contentType,
  });
  return getSignedUrl(client, command, { expiresIn });
}
