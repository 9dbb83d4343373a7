import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body, as signed. */
  body: string;
}

export interface Receiver {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Every request so far, in arrival order. */
  requests: ReceivedRequest[];
  /** How requests are answered from now on: a status code, or `hold` (keep them waiting until `close`). */
  respondWith(mode: number | 'hold'): void;
  /** Answers the next requests to `path` with these statuses, one each, before falling back to `respondWith`'s mode. */
  answerNext(path: string, statuses: number[]): void;
  close(): Promise<void>;
}

/** A local HTTP receiver on loopback that records every request (webhook and Zulip deliveries in tests). */
export async function startReceiver(): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const held: ServerResponse[] = [];
  let mode: number | 'hold' = 200;
  const scripted = new Map<string, number[]>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const next = scripted.get(req.url ?? '')?.shift();
      if (next === undefined && mode === 'hold') return void held.push(res);
      const status = next ?? (mode as number);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ result: status < 300 ? 'success' : 'error' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respondWith: (next) => void (mode = next),
    answerNext: (path, statuses) => void scripted.set(path, [...statuses]),
    async close() {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A loopback URL nobody listens on (a receiver that is down). */
export async function deadUrl(): Promise<string> {
  const receiver = await startReceiver();
  await receiver.close();
  return receiver.url;
}
