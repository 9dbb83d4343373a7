import path from 'node:path';
import type { Env } from '../env.js';
import type { StorageDriver } from './driver.js';
import { createFsDriver } from './fs-driver.js';

/** The driver STUF_STORAGE selects: a local directory (`fs`, the embedded default) or an S3 bucket. */
export async function createDriverFromEnv(env: Env): Promise<StorageDriver> {
  if (env.STUF_STORAGE === 'fs') return createFsDriver(path.resolve(env.STUF_DATA_DIR));
  const { createS3DriverFromEnv } = await import('./s3-env.js');
  return createS3DriverFromEnv(env);
}
