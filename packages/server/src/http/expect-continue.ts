import type { IncomingMessage, ServerResponse } from 'node:http';

const continued = new WeakSet<IncomingMessage>();

/**
 * Whether the client is still waiting for `100 Continue` before it sends the body (`Expect: 100-continue`; curl sends
 * it for bodies over 1 MB). Such a request can be refused without reading a byte of its body.
 */
export function awaitsContinue(req: IncomingMessage): boolean {
  return /^\s*100-continue\s*$/i.test(req.headers.expect ?? '') && !continued.has(req);
}

/** Lets a waiting client send its body; called once the request passed every check made before the body is read. */
export function allowBody(req: IncomingMessage, res: ServerResponse): void {
  if (!awaitsContinue(req)) return;
  continued.add(req);
  res.writeContinue();
}
