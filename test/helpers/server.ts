import { loadEnv } from '../../packages/server/src/env.js';
import { createLogger } from '../../packages/server/src/logger.js';
import { startServer, type RunningServer } from '../../packages/server/src/http/server.js';
import type { StorageDriver } from '../../packages/server/src/storage/driver.js';
import type { TestBackend } from './backends.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

export interface TestServer extends RunningServer {
  driver: StorageDriver;
  dataDir?: string;
  /** Every key in the bucket, sorted: compare snapshots to prove that nothing was stored. */
  keys(): Promise<string[]>;
  stop(): Promise<void>;
}

/** Starts the real server on port 0 over a fresh bucket of `backend`. */
export async function startTestServer(backend: TestBackend, extraEnv: Record<string, string> = {}): Promise<TestServer> {
  const bucket = await backend.create();
  const env = loadEnv({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent', STUF_ADMIN_TOKEN: ADMIN_TOKEN, ...bucket.env, ...extraEnv });
  const server = await startServer({ env, driver: bucket.driver, logger: createLogger(env.LOG_LEVEL) });
  return {
    ...server,
    driver: bucket.driver,
    dataDir: bucket.dataDir,
    async keys() {
      const keys: string[] = [];
      for await (const object of bucket.driver.list('')) keys.push(object.key);
      return keys.sort();
    },
    async stop() {
      await server.close();
      await bucket.cleanup();
    },
  };
}
