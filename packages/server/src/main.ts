import { exitOnStartupError, runServer } from './run-server.js';

/** Process entry (`pnpm start`): config from env, start the HTTP server, shut down gracefully on signals. */
runServer().catch(exitOnStartupError);
