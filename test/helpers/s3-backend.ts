import { createS3Driver } from '../../packages/server/src/storage/s3-driver.js';
import { deleteBucketAndContents, s3TestOptions, uniqueBucketName } from '../../packages/server/src/storage/s3-test-support.js';
import type { TestBackend } from './backends.js';

/** A fresh bucket per test file on the S3 server named by S3_ENDPOINT (CI: Ceph RGW on loopback). */
export const s3Backend: TestBackend = {
  name: 's3',
  async create() {
    const bucket = uniqueBucketName('e2e');
    const options = s3TestOptions(bucket)!;
    const driver = await createS3Driver(options);
    return {
      driver,
      env: { STUF_STORAGE: 's3', S3_BUCKET: bucket },
      async cleanup() {
        await deleteBucketAndContents(driver.client, bucket);
        await driver.close();
      },
    };
  },
};
