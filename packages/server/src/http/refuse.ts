import type { IncomingMessage, ServerResponse } from 'node:http';
import { awaitsContinue } from './expect-continue.js';

/**
 * Answers a request we refuse before reading its body, as a GraphQL-over-HTTP error with `extensions.code`. The body
 * is drained first: answering while the client still sends makes clients fail with a send error instead of reading
 * the answer. A client waiting for `100 Continue` has sent no body: it is answered at once and the connection closed.
 */
export function refuse(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
  extensions: Record<string, unknown> = {},
): void {
  const send = () => {
    if (res.headersSent || res.destroyed) return;
    const body = JSON.stringify({ errors: [{ message, extensions: { ...extensions, code } }] });
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers });
    res.end(body);
  };
  if (req.readableEnded || req.complete) return send();
  if (awaitsContinue(req)) {
    res.setHeader('connection', 'close');
    return send();
  }
  req.once('end', send);
  req.once('error', () => res.destroy());
  req.resume();
}
