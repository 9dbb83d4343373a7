import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createStufClient, type StufClientOptions } from './client.js';
import { StufError } from './errors.js';
import { backoffDelay, DEFAULT_RETRY } from './retry.js';

type FakeFetch = (url: string, init: RequestInit) => Promise<Response>;

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

const health = { data: { health: { ok: true, storage: 'fs' } } };
const created = { data: { createUpload: { __typename: 'CreateUploadPayload', upload: { id: 'u1', files: [] } } } };

/** A network failure as Node's fetch reports it: TypeError('fetch failed') with the socket error as cause. */
const networkFailure = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(code), { code }) });

function clientWith(fetchImpl: FakeFetch, options: Partial<StufClientOptions> = {}) {
  const calls: { url: string; init: RequestInit }[] = [];
  const client = createStufClient({
    url: 'http://stuf.test',
    token: 'secret-token',
    retry: { retries: 3, baseDelayMs: 1, maxDelayMs: 5 },
    fetch: (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return fetchImpl(url, init);
    }) as typeof fetch,
    ...options,
  });
  return { client, calls };
}

/** Reads `bytes` of a request body stream (as an HTTP client sending it would), then stops. */
async function readSome(body: unknown, bytes: number): Promise<number> {
  const reader = (body as ReadableStream<Uint8Array>).getReader();
  let read = 0;
  while (read < bytes) {
    const { value, done } = await reader.read();
    if (done) break;
    read += value.byteLength;
  }
  await reader.cancel();
  return read;
}

async function rejection(promise: Promise<unknown>): Promise<StufError> {
  const error = await promise.then(
    () => new Error('expected a rejection'),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(StufError);
  return error as StufError;
}

describe('requests', () => {
  it('posts JSON to <url>/graphql with the bearer token and resolves to typed data', async () => {
    const { client, calls } = clientWith(async () => json(health));
    expect(await client.health()).toEqual({ ok: true, storage: 'fs' });
    expect(calls[0]!.url).toBe('http://stuf.test/graphql');
    const headers = calls[0]!.init.headers as Record<string, string>;
    expect(headers.authorization).toBe('Bearer secret-token');
    expect(headers['content-type']).toBe('application/json');
    expect(JSON.parse(calls[0]!.init.body as string).query).toMatch(/query Health/);
    expect(createStufClient({ url: 'https://x.test/base/' }).endpoint).toBe('https://x.test/base/graphql');
    expect(createStufClient({ url: 'https://x.test/graphql' }).endpoint).toBe('https://x.test/graphql');
  });

  it('asks getToken before every attempt', async () => {
    let n = 0;
    const getToken = vi.fn(async () => `token-${++n}`);
    const responses = [json({}, 503), json(health)];
    const { client, calls } = clientWith(async () => responses.shift()!, { getToken });
    await client.health();
    expect(calls.map((call) => (call.init.headers as Record<string, string>).authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
  });

  it('throws a typed StufError for request-level failures (code, status, request id, all errors)', async () => {
    const { client } = clientWith(async () =>
      json({ errors: [{ message: 'Authentication required', extensions: { code: 'UNAUTHENTICATED' } }] }, 401, { 'x-request-id': 'req-1' }),
    );
    const error = await rejection(client.uploads());
    expect(error).toMatchObject({ name: 'StufError', code: 'UNAUTHENTICATED', status: 401, requestId: 'req-1', retryable: false, attempts: 1 });
    expect(error.errors).toHaveLength(1);
  });

  it('gives GRAPHQL_ERROR for errors without a code and HTTP_ERROR for answers that are not GraphQL', async () => {
    const first = clientWith(async () => json({ errors: [{ message: 'Cannot query field "nope"' }] }, 400));
    expect(await rejection(first.client.request('{ nope }'))).toMatchObject({ code: 'GRAPHQL_ERROR', status: 400 });
    const second = clientWith(async () => new Response('<html>Bad gateway</html>', { status: 502 }), { retry: false });
    expect(await rejection(second.client.health())).toMatchObject({ code: 'HTTP_ERROR', status: 502, retryable: true });
  });

  it('returns typed union members for expected failures instead of throwing', async () => {
    const failure = { __typename: 'ValidationError', code: 'VALIDATION_FAILED', message: 'metadata: must be an object', issues: [{ path: ['metadata'], message: 'must be an object' }] };
    const { client } = clientWith(async () => json({ data: { createUpload: failure } }));
    const result = await client.createUpload({ files: [new Blob(['a'])] });
    expect(result).toEqual(failure);
    if (result.__typename === 'ValidationError') expect(result.issues[0]!.path).toEqual(['metadata']);
  });
});

describe('retries', () => {
  it('retries queries on 502/503/504 and on connection resets, with backoff', async () => {
    const responses: (() => Response)[] = [() => json({}, 502), () => json({}, 503), () => { throw networkFailure('ECONNRESET'); }, () => json(health)];
    const { client, calls } = clientWith(async () => responses.shift()!());
    expect(await client.health()).toEqual({ ok: true, storage: 'fs' });
    expect(calls).toHaveLength(4);
  });

  it('retries CACHE_REGENERATING after the retryAfterMs the server asks for', async () => {
    const regenerating = { errors: [{ message: 'uploads.json is being regenerated', extensions: { code: 'CACHE_REGENERATING', retryAfterMs: 60 } }] };
    const responses = [json(regenerating), json({ data: { uploads: { totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] } } })];
    const times: number[] = [];
    const { client } = clientWith(async () => {
      times.push(Date.now());
      return responses.shift()!;
    });
    expect((await client.uploads()).totalCount).toBe(0);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(55);
  });

  it('gives up after the configured retries and says how many attempts were made', async () => {
    const { client, calls } = clientWith(async () => json({}, 503), { retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 2 } });
    const error = await rejection(client.health());
    expect(error).toMatchObject({ status: 503, retryable: true, attempts: 3 });
    expect(calls).toHaveLength(3);
  });

  it('does not retry what cannot succeed by repeating (401, validation, unknown socket errors)', async () => {
    const unauthenticated = clientWith(async () => json({ errors: [{ message: 'no', extensions: { code: 'UNAUTHENTICATED' } }] }, 401));
    await rejection(unauthenticated.client.health());
    expect(unauthenticated.calls).toHaveLength(1);
    const certificate = clientWith(async () => {
      throw networkFailure('CERT_HAS_EXPIRED');
    });
    expect(await rejection(certificate.client.health())).toMatchObject({ code: 'NETWORK_ERROR', retryable: false });
    expect(certificate.calls).toHaveLength(1);
  });

  it('never retries a mutation sent through request() unless told it is idempotent', async () => {
    const { client, calls } = clientWith(async () => json({}, 503));
    await rejection(client.request('mutation { createUpload(input: { files: [] }) { __typename } }'));
    expect(calls).toHaveLength(1);
    await rejection(client.request('mutation Safe { x }', {}, { idempotent: true }));
    expect(calls).toHaveLength(5);
  });

  it('never retries createUpload once bytes of the body were taken, even on a connection reset', async () => {
    const { client, calls } = clientWith(async (_url, init) => {
      await readSome(init.body, 10);
      throw networkFailure('ECONNRESET');
    });
    const error = await rejection(client.createUpload({ files: [new Uint8Array(100_000)] }));
    expect(error).toMatchObject({ code: 'NETWORK_ERROR', retryable: true, attempts: 1 });
    expect(calls).toHaveLength(1);
  });

  it('never retries createUpload on a 503 that came after the body was sent', async () => {
    const { client, calls } = clientWith(async (_url, init) => {
      await readSome(init.body, Infinity);
      return json({}, 503);
    });
    expect(await rejection(client.createUpload({ files: [new Blob(['abc'])] }))).toMatchObject({ status: 503, attempts: 1 });
    expect(calls).toHaveLength(1);
  });

  it('retries createUpload when the request provably did not reach the server (refused before a byte was sent)', async () => {
    let attempt = 0;
    const { client, calls } = clientWith(async (_url, init) => {
      if (++attempt < 3) throw networkFailure('ECONNREFUSED');
      await readSome(init.body, Infinity);
      return json(created);
    });
    expect(await client.createUpload({ files: [new Blob(['abc'])] })).toMatchObject({ __typename: 'CreateUploadPayload' });
    expect(calls).toHaveLength(3);
  });

  it('never retries a FormData upload (how much was sent cannot be known)', async () => {
    const { client, calls } = clientWith(async () => {
      throw networkFailure('ECONNREFUSED');
    }, { uploadMode: 'form-data' });
    await rejection(client.createUpload({ files: [new Blob(['abc'])] }));
    expect(calls).toHaveLength(1);
    expect(calls[0]!.init.body).toBeInstanceOf(FormData);
    expect((calls[0]!.init.headers as Record<string, string>)['graphql-preflight']).toBe('1');
  });

  it('backs off exponentially with jitter, capped, and never sooner than retryAfterMs', () => {
    const options = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(0, options, undefined, () => 0)).toBe(50);
    expect(backoffDelay(0, options, undefined, () => 1)).toBe(100);
    expect(backoffDelay(2, options, undefined, () => 0)).toBe(200);
    expect(backoffDelay(2, options, undefined, () => 1)).toBe(400);
    expect(backoffDelay(10, options, undefined, () => 1)).toBe(1000);
    expect(backoffDelay(0, options, 750, () => 0.5)).toBe(750);
  });
});

describe('uploads', () => {
  it('sends a streamed multipart request with the preflight header and Content-Length, reporting progress', async () => {
    let sent = 0;
    let received: { headers: Record<string, string>; duplex?: string } | undefined;
    const { client } = clientWith(async (_url, init) => {
      received = { headers: init.headers as Record<string, string>, duplex: (init as { duplex?: string }).duplex };
      sent = await readSome(init.body, Infinity);
      return json(created);
    });
    const progress: { loaded: number; total: number | undefined }[] = [];
    await client.createUpload({ files: [new Uint8Array(500_000), new File(['abc'], 'a.txt')], metadata: { a: 1 } }, { onProgress: (event) => progress.push(event) });
    expect(received!.headers['graphql-preflight']).toBe('1');
    expect(received!.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(received!.duplex).toBe('half');
    expect(Number(received!.headers['content-length'])).toBe(sent);
    expect(progress.at(-1)).toEqual({ loaded: sent, total: sent });
    expect(progress.length).toBeGreaterThan(3);
  });

  it('rejects strings, plain objects and missing files at run time before sending anything', async () => {
    const { client, calls } = clientWith(async () => json(created));
    const cases: [unknown, RegExp][] = [
      [['x'], /files\[0\] is a string \("x"\)/],
      [[new Blob(['ok']), { name: 'a.txt', content: 'a' }], /files\[1\] is a plain object/],
      [[null], /files\[0\] is null/],
      [[{ pipe() {}, on() {} }], /files\[0\] is a stream \(wrap it: fileFromStream/],
      [[new ArrayBuffer(3)], /ArrayBuffer/],
      ['not-an-array', /"files" must be an array/],
    ];
    for (const [files, message] of cases) {
      const error = await rejection(client.createUpload({ files } as never));
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.message).toMatch(message);
    }
    expect(calls).toHaveLength(0);
  });

  it('importUsers rejects a CSV that is not a file before sending anything, naming the operation', async () => {
    const { client, calls } = clientWith(async () => json(created));
    const error = await rejection(client.importUsers('name,email\n' as never));
    expect(error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/^importUsers: file is a string/) });
    expect(calls).toHaveLength(0);
  });
});

describe('AbortSignal', () => {
  it('rejects with ABORTED without sending when the signal is already aborted', async () => {
    const { client, calls } = clientWith(async () => json(health));
    const error = await rejection(client.health({ signal: AbortSignal.abort() }));
    expect(error.code).toBe('ABORTED');
    expect(calls).toHaveLength(0);
  });

  it('stops waiting between retries as soon as the signal aborts', async () => {
    const { client, calls } = clientWith(async () => json({}, 503), { retry: { retries: 5, baseDelayMs: 10_000, maxDelayMs: 10_000 } });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 50);
    expect((await rejection(client.health({ signal: controller.signal }))).code).toBe('ABORTED');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(calls).toHaveLength(1);
  });

  it('aborts an upload in flight and stops reading the files', async () => {
    const controller = new AbortController();
    const { client } = clientWith((_url, init) =>
      new Promise<Response>((_resolve, reject) => {
        // Like fetch: reading stops and the promise rejects with an AbortError when the signal fires.
        init.signal!.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        void readSome(init.body, 1).then(() => controller.abort());
      }),
    );
    const error = await rejection(client.createUpload({ files: [new Uint8Array(1_000_000)] }, { signal: controller.signal }));
    expect(error.code).toBe('ABORTED');
  });
});

describe('browser uploads', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('report progress through XMLHttpRequest when sent as FormData', async () => {
    class FakeXhr {
      static last: FakeXhr;
      method = '';
      url = '';
      body: unknown;
      headers: Record<string, string> = {};
      upload: { onprogress: ((event: { loaded: number; total: number; lengthComputable: boolean }) => void) | null } = { onprogress: null };
      onload: (() => void) | null = null;
      onerror: (() => void) | null = null;
      onabort: (() => void) | null = null;
      status = 0;
      statusText = '';
      responseText = '';
      open(method: string, url: string) {
        Object.assign(this, { method, url });
        FakeXhr.last = this;
      }
      setRequestHeader(name: string, value: string) {
        this.headers[name] = value;
      }
      getAllResponseHeaders() {
        return 'content-type: application/json\r\nx-request-id: req-7\r\n';
      }
      abort() {
        this.onabort?.();
      }
      send(body: unknown) {
        this.body = body;
        setTimeout(() => {
          this.upload.onprogress?.({ loaded: 5, total: 10, lengthComputable: true });
          this.upload.onprogress?.({ loaded: 10, total: 10, lengthComputable: true });
          Object.assign(this, { status: 200, statusText: 'OK', responseText: JSON.stringify(created) });
          this.onload?.();
        }, 0);
      }
    }
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const client = createStufClient({ url: 'http://stuf.test', token: 't', uploadMode: 'form-data' });
    const progress: unknown[] = [];
    const result = await client.createUpload({ files: [new File(['abc'], 'a.txt')] }, { onProgress: (event) => progress.push(event) });
    expect(result.__typename).toBe('CreateUploadPayload');
    expect(progress).toEqual([{ loaded: 5, total: 10 }, { loaded: 10, total: 10 }]);
    expect([FakeXhr.last.method, FakeXhr.last.url]).toEqual(['POST', 'http://stuf.test/graphql']);
    expect(FakeXhr.last.headers).toMatchObject({ 'graphql-preflight': '1', authorization: 'Bearer t' });
    expect(FakeXhr.last.body).toBeInstanceOf(FormData);
    expect(((FakeXhr.last.body as FormData).get('0') as File).name).toBe('a.txt');
  });
});

describe('after an abort', () => {
  it('the body cannot be drained any more and the file being read is closed', async () => {
    const controller = new AbortController();
    let bodyAfterAbort: Promise<unknown> | undefined;
    const { Readable } = await import('node:stream');
    const endless = Readable.from(
      (async function* () {
        for (;;) yield new Uint8Array(64 * 1024);
      })(),
    );
    const { client } = clientWith(async (_url, init) => {
      const reader = (init.body as ReadableStream<Uint8Array>).getReader();
      for (let i = 0; i < 5; i++) await reader.read(); // into the file's bytes
      controller.abort();
      // Like undici, keep reading the request body after the abort: it must end instead of streaming forever.
      bodyAfterAbort = (async () => {
        for (let i = 0; i < 10_000; i++) if ((await reader.read()).done) return 'done';
        return 'still streaming after 10,000 reads';
      })().catch((error: unknown) => error);
      throw new DOMException('aborted', 'AbortError');
    });
    const { fileFromStream } = await import('./node.js');
    const error = await rejection(client.createUpload({ files: [fileFromStream(endless, { name: 'endless.bin' })] }, { signal: controller.signal }));
    expect(error.code).toBe('ABORTED');
    expect(await bodyAfterAbort).toMatchObject({ code: 'ABORTED' });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(endless.destroyed).toBe(true);
  });
});

describe('against a real socket', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  /** A server that takes part of every request body and then resets the connection. */
  async function resettingServer(): Promise<{ url: string; requests: () => number }> {
    let requests = 0;
    server = createServer((req: IncomingMessage) => {
      requests++;
      let seen = 0;
      req.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        if (seen > 64 * 1024) req.socket.resetAndDestroy();
      });
      req.on('end', () => req.socket.resetAndDestroy());
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
  }

  it('a reset during an upload is not retried; the same reset on a query is', async () => {
    const { url, requests } = await resettingServer();
    const client = createStufClient({ url, retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 2 } });
    const upload = await rejection(client.createUpload({ files: [new Uint8Array(4 * 1024 * 1024)] }));
    expect(upload).toMatchObject({ code: 'NETWORK_ERROR', attempts: 1 });
    expect(requests()).toBe(1);
    const query = await rejection(client.health());
    expect(query).toMatchObject({ code: 'NETWORK_ERROR', attempts: 3 });
    expect(requests()).toBe(4);
  });

  it('retries an upload whose connection was refused (nothing reached a server)', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const client = createStufClient({ url: `http://127.0.0.1:${port}`, retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 2 } });
    expect(await rejection(client.createUpload({ files: [new Blob(['abc'])] }))).toMatchObject({ code: 'NETWORK_ERROR', attempts: 3 });
  });
});
