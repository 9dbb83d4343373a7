import { ConfigError, type Env } from '../env.js';
import { createS3Driver, type S3Driver } from './s3-driver.js';
import type { S3DriverOptions } from './s3-options.js';

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
>;

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
    partSizeBytes: env.S3_PART_SIZE_MB !== undefined ? env.S3_PART_SIZE_MB * 1024 * 1024 : undefined,
    queueSize: env.S3_QUEUE_SIZE,
    createBucket: env.S3_CREATE_BUCKET,
  };
}

/** The S3 driver for STUF_STORAGE=s3, after its startup checks (see `createS3Driver`). */
export async function createS3DriverFromEnv(env: S3Env): Promise<S3Driver> {
  return createS3Driver(s3OptionsFromEnv(env));
}
