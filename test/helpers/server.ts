import { loadEnv } from '../../packages/server/src/env.js';
import { createLogger } from '../../packages/server/src/logger.js';
import { startServer, type RunningServer } from '../../packages/server/src/http/server.js';
import type { StorageDriver } from '../../packages/server/src/storage/driver.js';
import type { TestBackend } from './backends.js';
import { recordingDriver, type StorageCall } from './recording-driver.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

export interface TestServer extends RunningServer {
  /** The bucket's driver, for the test's own reads and writes (not recorded). */
  driver: StorageDriver;
  /** Every storage call the server made so far, in order; clear it (`length = 0`) to start counting. */
  storageCalls: StorageCall[];
  dataDir?: string;
  /** The settings that name this server's bucket (`STUF_STORAGE`, `STUF_DATA_DIR` or `S3_BUCKET`), to start another replica on it. */
  bucketEnv: Record<string, string>;
  /** Log lines (parsed JSON) at LOG_LEVEL and above, when started with `{ captureLogs: true }`; else always empty. */
  logs(): Record<string, unknown>[];
  /** Every key in the bucket, sorted: compare snapshots to prove that nothing was stored. */
  keys(): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * Starts the real server on port 0 over a fresh bucket of `backend`. With `captureLogs`, its log lines are kept for
 * `logs()` instead of printed (give a LOG_LEVEL in `extraEnv`, e.g. `warn`).
 */
export async function startTestServer(backend: TestBackend, extraEnv: Record<string, string> = {}, options: { captureLogs?: boolean } = {}): Promise<TestServer> {
  const bucket = await backend.create();
  const env = loadEnv({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent', STUF_ADMIN_TOKEN: ADMIN_TOKEN, ...bucket.env, ...extraEnv });
  const lines: Record<string, unknown>[] = [];
  const destination = options.captureLogs ? { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } : undefined;
  const recording = recordingDriver(bucket.driver);
  const server = await startServer({ env, driver: recording.driver, logger: createLogger(env.LOG_LEVEL, destination) });
  return {
    ...server,
    driver: bucket.driver,
    storageCalls: recording.calls,
    dataDir: bucket.dataDir,
    bucketEnv: bucket.env,
    logs: () => [...lines],
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
