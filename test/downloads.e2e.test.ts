import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StufError, type StufClient } from '@stuf/sdk/node';
import { backends } from './helpers/backends.js';
import { clientFor, file, uploaded } from './helpers/client.js';
import { eventually } from './helpers/poll.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const NAME = "rapport d'été №2.pdf";
const BYTES = new Uint8Array(70_000).map((_, i) => (i * 13) % 256);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** How a download through the SDK fails (it resolves only for 2xx answers). */
async function refusal(stuf: StufClient, url: URL | string): Promise<StufError> {
  const error = await stuf.download(String(url)).then(
    (response) => new Error(`expected a refusal, got HTTP ${response.status}`),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(StufError);
  return error as StufError;
}

for (const backend of await backends()) {
  describe(`downloads on ${backend.name}`, () => {
    // fs: the server's own signed route; s3: a presigned URL straight to the store (SigV4 query parameters).
    const params = backend.name === 's3' ? { signature: 'X-Amz-Signature', expires: 'X-Amz-Expires' } : { signature: 'signature', expires: 'expires' };
    let server: TestServer;
    let stuf: StufClient;
    let downloadUrl: string;
    beforeAll(async () => {
      server = await startTestServer(backend);
      stuf = clientFor(server);
      const upload = uploaded(await stuf.createUpload({ files: [file(NAME, BYTES, 'application/pdf')] }));
      downloadUrl = upload.files[0]!.downloadUrl;
    });
    afterAll(() => server?.stop());

    it('serves identical bytes through the signed URL without an Authorization header', async () => {
      // The SDK never sends its token with a download: the signature is the authorization.
      const response = await stuf.download(downloadUrl);
      expect(response.status).toBe(200);
      expect(sha256(new Uint8Array(await response.arrayBuffer()))).toBe(sha256(BYTES));
      expect(response.headers.get('content-type')).toBe('application/pdf');
    });

    it('sends an RFC 6266 Content-Disposition with an ASCII fallback and an RFC 5987 filename*', async () => {
      const response = await stuf.download(downloadUrl);
      await response.body?.cancel();
      const disposition = response.headers.get('content-disposition')!;
      expect(disposition).toMatch(/^attachment; filename="[\x20-\x7e]+"; filename\*=UTF-8''/);
      const fallback = /filename="([^"]*)"/.exec(disposition)![1];
      expect(fallback).toBe("rapport d'ete No2.pdf");
      const extended = /filename\*=UTF-8''(.+)$/.exec(disposition)![1]!;
      expect(decodeURIComponent(extended)).toBe(NAME);
    });

    it('refuses a URL whose signature was changed', async () => {
      const url = new URL(downloadUrl);
      const signature = url.searchParams.get(params.signature)!;
      url.searchParams.set(params.signature, (signature[0] === 'a' ? 'b' : 'a') + signature.slice(1));
      expect(await refusal(stuf, url)).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    });

    it('refuses a URL whose expiry was extended', async () => {
      const url = new URL(downloadUrl);
      url.searchParams.set(params.expires, String(Number(url.searchParams.get(params.expires)) + 3600));
      expect(await refusal(stuf, url)).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    });

    it('refuses a URL pointing at another file with the same signature', async () => {
      const url = new URL(downloadUrl);
      url.pathname = url.pathname.replace(/\/[^/]+$/, '/metadata.json');
      expect(await refusal(stuf, url)).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    });
  });
}

describe('download link expiry', () => {
  it('refuses a link after its TTL', async () => {
    const [backend] = await backends();
    const server = await startTestServer(backend!, { STUF_DOWNLOAD_URL_TTL_SECONDS: '1' });
    try {
      const stuf = clientFor(server);
      const { files } = uploaded(await stuf.createUpload({ files: [file('soon-gone.txt', 'x')] }));
      const url = files[0]!.downloadUrl;
      expect(await (await stuf.download(url)).text()).toBe('x');
      await new Promise((resolve) => setTimeout(resolve, 2_100));
      const expired = await refusal(stuf, url);
      expect(expired.status).toBe(403);
      expect(expired.message).toMatch(/expired/i);
    } finally {
      await server.stop();
    }
  });
});

describe('a download the client abandons (fs: the server streams the bytes itself)', () => {
  it('is logged as information, not as a warning with a stack trace', async () => {
    const [fsBackend] = await backends();
    const server = await startTestServer(fsBackend!, { LOG_LEVEL: 'info' }, { captureLogs: true });
    try {
      const stuf = clientFor(server);
      // Large enough that the answer cannot sit whole in the socket buffers when the reader goes away.
      const { files } = uploaded(await stuf.createUpload({ files: [file('large.bin', new Uint8Array(32 * 1024 * 1024))] }));
      const controller = new AbortController();
      const response = await fetch(files[0]!.downloadUrl, { signal: controller.signal });
      expect(response.status).toBe(200);
      controller.abort();
      const logged = await eventually(() => server.logs().find((line) => line.msg === 'download abandoned by the client'), { message: 'the abandoned download logged' });
      expect(logged.level).toBe(30);
      expect(server.logs().filter((line) => line.msg === 'download interrupted')).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});
