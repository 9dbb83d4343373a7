import { startServerProcess, type ServerProcess } from '../../bench/lib/server-process.js';
import { ADMIN_TOKEN, type TestServer } from './server.js';

/** The S3 connection settings of this test run (S3_ENDPOINT and keys), for a server started as a child process. */
function s3ConnectionEnv(): Record<string, string> {
  const names = ['S3_ENDPOINT', 'S3_REGION', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const;
  const env: Record<string, string> = Object.fromEntries(names.flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])));
  // The test setup's local S3 (like s3TestOptions) needs path-style addressing.
  env.S3_FORCE_PATH_STYLE = process.env.S3_FORCE_PATH_STYLE ?? 'true';
  return env;
}

/**
 * Another server process on the same bucket as `server` (`node … packages/server/src/main.ts`, as `pnpm start` runs
 * it): a second replica, sharing nothing with the first but the bucket. Its stdout holds its log lines (LOG_LEVEL=warn).
 */
export async function startReplicaProcess(server: TestServer, extraEnv: Record<string, string> = {}): Promise<ServerProcess> {
  const s3 = server.bucketEnv.STUF_STORAGE === 's3' ? s3ConnectionEnv() : {};
  return startServerProcess({ ...server.bucketEnv, ...s3, STUF_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'warn', ...extraEnv });
}
