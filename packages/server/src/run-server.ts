import { ConfigError, loadEnv } from './env.js';
import { createLogger } from './logger.js';
import { createDriverFromEnv } from './storage/create-driver.js';
import { startServer, type RunningServer } from './http/server.js';

/**
 * Validated env → storage → HTTP server; SIGINT/SIGTERM shut down gracefully. Used by `main.ts` (`pnpm start`) and
 * by `stuf serve`.
 */
export async function runServer(source: NodeJS.ProcessEnv = process.env): Promise<RunningServer> {
  const env = loadEnv(source);
  const logger = createLogger(env.LOG_LEVEL);
  const driver = await createDriverFromEnv(env);
  const server = await startServer({ env, driver, logger });
  if (server.generatedAdminToken) {
    // Printed once, outside the structured logs: only its hash is stored, so it cannot be shown again.
    process.stdout.write(
      `\n  STUF bootstrap admin token (shown once, store it now):\n\n    ${server.generatedAdminToken}\n\n` +
        `  Use it as "Authorization: Bearer <token>". Set STUF_ADMIN_TOKEN to choose your own instead.\n\n`,
    );
  }
  logger.info({ url: `${server.url}/graphql`, storage: driver.name }, 'STUF is listening');
  process.stdout.write(`STUF is listening on ${server.url}/graphql (storage: ${driver.name})\n`);

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  return server;
}

/** Prints why the server could not start (no stack trace for configuration errors) and exits with status 1. */
export function exitOnStartupError(error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`stuf: ${error.message}\n`);
  } else {
    process.stderr.write(`stuf: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
}
