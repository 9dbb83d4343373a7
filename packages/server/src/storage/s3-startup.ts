import { CreateBucketCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { StorageUnavailableError } from './errors.js';
import { describeS3Error, errorCodeOf, httpStatusOf, isCredentialError, isNetworkError } from './s3-errors.js';

export interface BucketCheckOptions {
  bucket: string;
  region: string;
  /** Human-readable location for messages, e.g. `S3 endpoint http://127.0.0.1:7480, bucket "stuf"`. */
  where: string;
  /** Named in credential errors so an operator sees which key was rejected; the secret is never named. */
  accessKeyId?: string;
  createBucket?: boolean;
}

/** Turns a failed startup request into a message an operator can act on (names bucket and endpoint, never the secret). */
export function startupError(error: unknown, options: BucketCheckOptions): StorageUnavailableError {
  const { where } = options;
  const detail = describeS3Error(error);
  if (isNetworkError(error)) {
    return new StorageUnavailableError(`Cannot reach ${where}: ${detail}. Is the store running and S3_ENDPOINT right?`, {
      cause: error,
    });
  }
  if ((error as { name?: string }).name === 'CredentialsProviderError') {
    return new StorageUnavailableError(`No S3 credentials for ${where}: ${detail}. Set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY.`, {
      cause: error,
    });
  }
  if (isCredentialError(error)) {
    const id = options.accessKeyId ? `access key id "${options.accessKeyId}"` : 'credentials from the AWS credential chain';
    return new StorageUnavailableError(
      `${where} rejected the credentials (${id}): ${errorCodeOf(error)}. Check S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY.`,
      { cause: error },
    );
  }
  if (httpStatusOf(error) === 403) {
    return new StorageUnavailableError(`${where} denied access: ${detail}. The credentials need read, write, list and delete.`, {
      cause: error,
    });
  }
  return new StorageUnavailableError(`${where} failed a startup check: ${detail}`, { cause: error });
}

/**
 * Settles with `checks`, or refuses with a clear error when they take longer than `timeoutMs` in all — a store that
 * accepts connections and never answers would otherwise keep the server from starting, silently, for minutes.
 */
export async function withinStartupDeadline<T>(checks: Promise<T>, timeoutMs: number, where: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new StorageUnavailableError(`No answer from ${where} within ${timeoutMs / 1000} s. Is the store running and S3_ENDPOINT right?`)),
      timeoutMs,
    );
  });
  checks.catch(() => undefined); // once the deadline has passed, how the checks end no longer matters
  try {
    return await Promise.race([checks, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Verifies the bucket answers a signed list request (reachable, credentials accepted); creates it when asked to. */
export async function checkBucket(client: S3Client, options: BucketCheckOptions): Promise<void> {
  const list = () => client.send(new ListObjectsV2Command({ Bucket: options.bucket, MaxKeys: 1 }));
  try {
    await list();
    return;
  } catch (error) {
    if (errorCodeOf(error) !== 'NoSuchBucket') throw startupError(error, options);
    if (!options.createBucket) {
      throw new StorageUnavailableError(`${options.where}: the bucket does not exist; create it first (or set S3_CREATE_BUCKET=true to let STUF create it)`, {
        cause: error,
      });
    }
  }
  try {
    await client.send(
      new CreateBucketCommand({
        Bucket: options.bucket,
        // us-east-1 is the one region that must not be named as a location constraint.
        ...(options.region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: options.region as never } }),
      }),
    );
  } catch (error) {
    // Another process created it between our list and create: fine, as long as it is ours.
    if (errorCodeOf(error) !== 'BucketAlreadyOwnedByYou') throw startupError(error, options);
  }
}
