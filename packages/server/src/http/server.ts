import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Env } from '../env.js';
import type { Logger } from '../logger.js';
import type { StorageDriver } from '../storage/driver.js';
import { createServices, type Services } from '../services.js';
import { CacheRegeneratingError } from '../errors.js';
import { clientInfo } from './client-info.js';
import { DOWNLOAD_PATH_PREFIX } from '../domains/uploads/download-links.js';
import { isCsrfSuspect, isMultipart, PREFLIGHT_HEADERS } from './csrf.js';
import { handleDownload } from './download-route.js';
import { MultipartError, parseMultipart } from './multipart.js';
import { refuse } from './refuse.js';
import { requestIdOf } from './request-id.js';
import { allowBody } from './expect-continue.js';
import { bodyTooLargeMessage } from './use-json-body-limit.js';
import { createGraphQLHandler } from './yoga.js';

export interface RunningServer {
  url: string;
  port: number;
  services: Services;
  /** A bootstrap admin token generated on this start (shown once), if one was. */
  generatedAdminToken?: string;
  /** Stops accepting connections, lets in-flight requests finish (up to the shutdown timeout), closes the driver. */
  close(): Promise<void>;
}

/** Starts STUF's HTTP server on `env.PORT` (0 picks a free port) over `driver`. */
export async function startServer(input: { env: Env; driver: StorageDriver; logger: Logger }): Promise<RunningServer> {
  const { env, driver, logger } = input;
  let publicUrl = env.STUF_PUBLIC_URL?.replace(/\/$/, '') ?? '';
  const { services, generatedAdminToken } = await createServices({ env, driver, logger, publicUrl: () => publicUrl });
  const yoga = createGraphQLHandler(env, services, logger);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    const log = logger.child({ requestId });
    const url = new URL(req.url ?? '/', 'http://stuf.invalid');
    const started = process.hrtime.bigint();
    // 'close' without 'finish' means the client went away before the answer was sent: log those too, marked aborted.
    res.once('close', () =>
      log.info(
        { method: req.method, path: url.pathname, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6, ...(res.writableFinished ? {} : { aborted: true }) },
        'request',
      ),
    );

    if (url.pathname.startsWith(DOWNLOAD_PATH_PREFIX)) return handleDownload(req, res, url, services, log);
    if (url.pathname !== '/graphql' && url.pathname !== '/graphql/') return refuse(req, res, 404, 'NOT_FOUND', 'Not found; the API is at /graphql');

    if (isCsrfSuspect(req)) {
      return refuse(req, res, 400, 'CSRF_PREFLIGHT_REQUIRED', `Requests with this content type must carry a non-empty ${PREFLIGHT_HEADERS.join(' or ')} header`);
    }
    const client = clientInfo(req, env.STUF_TRUST_PROXY);
    let authentication;
    try {
      authentication = await services.auth.authenticate(req.headers.authorization);
    } catch (error) {
      if (!(error instanceof CacheRegeneratingError)) throw error;
      return refuse(req, res, 503, error.code, error.message, { 'retry-after': String(Math.ceil(error.retryAfterMs / 1000)) }, { retryAfterMs: error.retryAfterMs });
    }
    if (authentication.kind === 'rejected') {
      return refuse(req, res, 401, 'UNAUTHENTICATED', authentication.reason, { 'www-authenticate': 'Bearer' });
    }
    // Suspended or expired: refused on every request, before the body is read.
    if (authentication.kind === 'inactive') return refuse(req, res, 403, 'ACCOUNT_INACTIVE', authentication.reason);
    const viewer = authentication.kind === 'authenticated' ? authentication.viewer : undefined;

    let multipartBody: unknown;
    if (req.method === 'POST' && isMultipart(req)) {
      // Every multipart request is an upload; refuse anonymous ones before reading a byte of them.
      if (!viewer) return refuse(req, res, 401, 'UNAUTHENTICATED', 'Authentication required: send "Authorization: Bearer <token>"', { 'www-authenticate': 'Bearer' });
      allowBody(req, res);
      try {
        multipartBody = await parseMultipart(req, res, { maxFiles: env.STUF_MAX_FILES, maxFieldSize: env.STUF_MAX_JSON_BODY_BYTES });
      } catch (error) {
        if (!(error instanceof MultipartError)) throw error;
        if (error.status === 413 && /max file uploads exceeded/.test(error.message)) {
          // Same words and details as the resolver's FILE_COUNT error, though this one is caught while parsing.
          return refuse(req, res, 413, 'LIMIT_EXCEEDED', `At most ${env.STUF_MAX_FILES} files per upload`, {}, { limit: 'FILE_COUNT', maximum: env.STUF_MAX_FILES });
        }
        return refuse(req, res, error.status, error.status === 413 ? 'LIMIT_EXCEEDED' : 'BAD_REQUEST', error.message);
      }
    } else if (req.method === 'POST' && Number(req.headers['content-length'] ?? 0) > env.STUF_MAX_JSON_BODY_BYTES) {
      return refuse(req, res, 413, 'LIMIT_EXCEEDED', bodyTooLargeMessage(env.STUF_MAX_JSON_BODY_BYTES));
    }
    allowBody(req, res);
    // Calling the yoga instance with (req, res, context) handles the request and writes the response.
    await yoga(req, res, { requestId, viewer, client, logger: log, multipartBody });
  };

  const dispatch = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      logger.error({ err: error }, 'request failed');
      if (!res.headersSent) refuse(req, res, 500, 'INTERNAL_SERVER_ERROR', 'Unexpected error');
      else res.destroy();
    });
  };
  const server: Server = createServer(dispatch);
  // `Expect: 100-continue` requests are checked (CSRF, token, size) before `100 Continue` lets the body come
  // (`allowBody`), so a refused upload costs the client no upload. Without this listener node answers 100 at once.
  server.on('checkContinue', dispatch);
  // Uploads of several GiB take long; only idle connections are timed out.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(env.PORT, env.HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${env.HOST === '0.0.0.0' || env.HOST === '::' ? 'localhost' : env.HOST}:${port}`;
  publicUrl ||= url;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), env.STUF_SHUTDOWN_TIMEOUT_MS);
      await stopped;
      clearTimeout(timer);
      await services.close();
      await driver.close?.();
    })());

  return { url, port, services, generatedAdminToken, close };
}
