import { Agent, createServer, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback HTTP proxy that forwards every request unchanged to one S3 endpoint and counts them by S3 operation.
 * It lets the benchmark count the requests a STUF server *child process* makes without any hook in the server:
 * the server is simply given the proxy's address as S3_ENDPOINT. SigV4 stays valid because the Host header and
 * every signed header are forwarded as received (only hop-by-hop headers are dropped).
 */
export interface CountingProxy {
  /** `http://127.0.0.1:<port>`, to use as the S3 endpoint. */
  endpoint: string;
  /** Requests per S3 operation since the last reset, plus `total`. */
  counts(): Record<string, number>;
  /** `Operation METHOD /bucket/key?query → status` of every request since the last reset, in arrival order. */
  log(): string[];
  reset(): void;
  /**
   * Resolves once no request has been in flight for `quietMs` (waiting at most `maxMs`), so requests a server makes
   * after it has answered are counted too.
   */
  quiet(quietMs?: number, maxMs?: number): Promise<void>;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'expect']);

/**
 * The S3 operation a path-style request is, from method, query and headers. The AWS SDK v3 tags most object
 * operations with `?x-id=<Operation>`; the rest are recognised the way S3 itself routes them.
 */
export function classifyS3Request(method: string, url: string, headers: IncomingHttpHeaders): string {
  const parsed = new URL(url, 'http://s3.invalid');
  const query = parsed.searchParams;
  const xId = query.get('x-id');
  if (xId) return xId;
  const onBucket = parsed.pathname.split('/').filter(Boolean).length <= 1;
  const copy = headers['x-amz-copy-source'] !== undefined;
  switch (method) {
    case 'GET':
      if (onBucket) return query.has('uploads') ? 'ListMultipartUploads' : query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
      return query.has('uploadId') ? 'ListParts' : 'GetObject';
    case 'HEAD':
      return onBucket ? 'HeadBucket' : 'HeadObject';
    case 'PUT':
      if (onBucket) return 'CreateBucket';
      if (query.has('partNumber')) return copy ? 'UploadPartCopy' : 'UploadPart';
      return copy ? 'CopyObject' : 'PutObject';
    case 'POST':
      if (query.has('uploads')) return 'CreateMultipartUpload';
      if (query.has('uploadId')) return 'CompleteMultipartUpload';
      if (query.has('delete')) return 'DeleteObjects';
      return 'POST';
    case 'DELETE':
      if (onBucket) return 'DeleteBucket';
      return query.has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject';
    default:
      return method;
  }
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true });
  let counts = new Map<string, number>();
  let log: string[] = [];
  let inFlight = 0;
  let lastActivity = performance.now();

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const operation = classifyS3Request(req.method ?? 'GET', req.url ?? '/', req.headers);
    counts.set(operation, (counts.get(operation) ?? 0) + 1);
    const entry = log.push(`${operation} ${req.method} ${req.url}`) - 1;
    const entries = log;
    inFlight++;
    lastActivity = performance.now();
    res.once('close', () => {
      inFlight--;
      lastActivity = performance.now();
    });
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !HOP_BY_HOP.has(name)));
    const out = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent },
      (answer) => {
        entries[entry] += ` → ${answer.statusCode}`;
        res.writeHead(answer.statusCode ?? 502, Object.fromEntries(Object.entries(answer.headers).filter(([name]) => !HOP_BY_HOP.has(name))));
        answer.pipe(res);
        answer.once('error', () => res.destroy());
      },
    );
    out.once('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    req.once('error', () => out.destroy());
    res.once('close', () => {
      if (!res.writableFinished) out.destroy(); // the client went away: so does the upstream request
    });
    req.pipe(out);
  };

  // `checkContinue` unhandled would make node answer 100 itself; answering it explicitly documents that Expect is ours.
  const server = createServer(forward);
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    res.writeContinue();
    forward(req, res);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts() {
      const result: Record<string, number> = {};
      let total = 0;
      for (const [name, count] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
        result[name] = count;
        total += count;
      }
      result.total = total;
      return result;
    },
    log: () => [...log],
    async quiet(quietMs = 300, maxMs = 5_000) {
      const deadline = performance.now() + maxMs;
      while (performance.now() < deadline && (inFlight > 0 || performance.now() - lastActivity < quietMs)) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    reset() {
      counts = new Map();
      log = [];
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
