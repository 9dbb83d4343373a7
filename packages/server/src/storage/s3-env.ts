import { ConfigError, type Env } from '../env.js';
import { createS3Driver, type S3Driver } from './s3-driver.js';
import { DEFAULT_PART_SIZE_BYTES, MAX_PARTS, type S3DriverOptions } from './s3-options.js';

const MiB = 1024 * 1024;

type S3Env = Pick<
  Env,
  | 'S3_BUCKET'
  | 'S3_ENDPOINT'
  | 'S3_REGION'
  | 'S3_ACCESS_KEY_ID'
  | 'S3_SECRET_ACCESS_KEY'
  | 'S3_FORCE_PATH_STYLE'
  | 'S3_SSE'
  | 'S3_SSE_KMS_KEY_ID'
  | 'S3_PART_SIZE_MB'
  | 'S3_QUEUE_SIZE'
  | 'S3_CREATE_BUCKET'
> &
  Partial<Pick<Env, 'STUF_MAX_FILE_SIZE'>>;

/** Maps the validated S3_* settings (architecture §7) to driver options; without keys the AWS credential chain is used. */
export function s3OptionsFromEnv(env: S3Env): S3DriverOptions {
  if (!env.S3_BUCKET) throw new ConfigError('STUF_STORAGE=s3 needs S3_BUCKET');
  if (Boolean(env.S3_ACCESS_KEY_ID) !== Boolean(env.S3_SECRET_ACCESS_KEY)) {
    throw new ConfigError('Set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY together (or neither, to use the AWS credential chain)');
  }
  return {
    bucket: env.S3_BUCKET,
    endpoint: env.S3_ENDPOINT,
    region: env.S3_REGION,
    forcePathStyle: env.S3_FORCE_PATH_STYLE,
    credentials:
      env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY
        ? { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY }
        : undefined,
    serverSideEncryption:
      env.S3_SSE === 'SSE-S3'
        ? { type: 'SSE-S3' }
        : env.S3_SSE === 'SSE-KMS'
          ? { type: 'SSE-KMS', kmsKeyId: env.S3_SSE_KMS_KEY_ID }
          : undefined,
    partSizeBytes: partSizeBytes(env),
    queueSize: env.S3_QUEUE_SIZE,
    createBucket: env.S3_CREATE_BUCKET,
  };
}

/**
 * S3_PART_SIZE_MB, or the default; a multipart upload has at most 10,000 parts, so when STUF_MAX_FILE_SIZE needs larger
 * parts the default grows to fit it, and an explicit S3_PART_SIZE_MB that is too small is refused at startup instead of
 * failing the first such upload after 10,000 parts.
 */
function partSizeBytes(env: S3Env): number | undefined {
  const needed = env.STUF_MAX_FILE_SIZE !== undefined ? Math.ceil(env.STUF_MAX_FILE_SIZE / MAX_PARTS / MiB) * MiB : 0;
  if (env.S3_PART_SIZE_MB === undefined) return needed > DEFAULT_PART_SIZE_BYTES ? needed : undefined;
  if (env.S3_PART_SIZE_MB * MiB < needed) {
    throw new ConfigError(
      `S3_PART_SIZE_MB=${env.S3_PART_SIZE_MB} allows files up to ${env.S3_PART_SIZE_MB * MAX_PARTS} MiB (S3 allows ${MAX_PARTS} parts), ` +
        `less than STUF_MAX_FILE_SIZE: set S3_PART_SIZE_MB to at least ${needed / MiB}`,
    );
  }
  return env.S3_PART_SIZE_MB * MiB;
}

/** The S3 driver for STUF_STORAGE=s3, after its startup checks (see `createS3Driver`). */
export async function createS3DriverFromEnv(env: S3Env): Promise<S3Driver> {
  return createS3Driver(s3OptionsFromEnv(env));
}
