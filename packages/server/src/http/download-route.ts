import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '../logger.js';
import type { Services } from '../services.js';
import { isNotFound } from '../storage/errors.js';
import { contentDisposition } from '../domains/uploads/download-links.js';

/**
 * `GET /files/<uploadId>/<storedName>?expires=…&signature=…`: streams the stored bytes. The signature is the
 * authorization (so a browser link works without a header); it is checked before storage is touched.
 */
export async function handleDownload(req: IncomingMessage, res: ServerResponse, url: URL, services: Services, logger: Logger): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'Method not allowed', { allow: 'GET, HEAD' });
  const verdict = services.downloadLinks.verify(url);
  if (!verdict.ok) return plain(res, verdict.status, verdict.reason);
  const { uploadId, storedName } = verdict.ref;
  const upload = await services.uploads.get(uploadId);
  const file = upload?.files.find((candidate) => candidate.storedName === storedName);
  if (!upload || !file) return plain(res, 404, 'Not found');
  let object;
  try {
    object = await services.uploads.openFile(upload, file);
  } catch (error) {
    if (isNotFound(error)) return plain(res, 404, 'Not found');
    throw error;
  }
  if (object.notModified) return plain(res, 500, 'Unexpected not-modified answer');
  res.writeHead(200, {
    'content-type': file.contentType,
    'content-length': String(object.size),
    'content-disposition': contentDisposition(file.name),
    'x-content-type-options': 'nosniff',
    'cache-control': 'private, no-store',
    'content-security-policy': "default-src 'none'; sandbox",
    etag: `"${file.sha256}"`,
  });
  if (req.method === 'HEAD') {
    object.body.destroy();
    res.end();
    return;
  }
  try {
    await pipeline(object.body, res);
  } catch (error) {
    // The reader going away (a closed tab, curl refusing to overwrite a file) is ordinary; a failing store read is not.
    if ((error as { code?: unknown }).code === 'ERR_STREAM_PREMATURE_CLOSE') logger.info({ uploadId }, 'download abandoned by the client');
    else logger.warn({ err: error, uploadId }, 'download interrupted');
  }
}

function plain(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(`${message}\n`);
}
