import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { StorageDriver } from '../../packages/server/src/storage/driver.js';
import { createFsDriver } from '../../packages/server/src/storage/fs-driver.js';
import { testS3Endpoint } from '../../packages/server/src/storage/s3-test-env.js';

export interface TestBackend {
  name: 'fs' | 's3';
  /** A fresh, empty bucket for one test file, and how to remove it. */
  create(): Promise<{ driver: StorageDriver; env: Record<string, string>; dataDir?: string; cleanup(): Promise<void> }>;
}

const fsBackend: TestBackend = {
  name: 'fs',
  async create() {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'stuf-e2e-'));
    return {
      driver: await createFsDriver(dataDir),
      env: { STUF_STORAGE: 'fs', STUF_DATA_DIR: dataDir },
      dataDir,
      cleanup: () => rm(dataDir, { recursive: true, force: true }),
    };
  },
};

/** Every backend end-to-end tests run on: fs always, S3 unless STUF_TEST_S3=off (CI always runs both). */
export async function backends(): Promise<TestBackend[]> {
  const list: TestBackend[] = [fsBackend];
  if (testS3Endpoint()) {
    const { s3Backend } = await import('./s3-backend.js');
    list.push(s3Backend);
  }
  return list;
}
