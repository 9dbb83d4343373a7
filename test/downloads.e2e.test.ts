import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from './helpers/backends.js';
import { multipartUpload } from './helpers/graphql.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const NAME = "rapport d'été №2.pdf";
const BYTES = new Uint8Array(70_000).map((_, i) => (i * 13) % 256);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

for (const backend of await backends()) {
  describe(`downloads on ${backend.name}`, () => {
    // fs: the server's own signed route; s3: a presigned URL straight to the store (SigV4 query parameters).
    const params = backend.name === 's3' ? { signature: 'X-Amz-Signature', expires: 'X-Amz-Expires' } : { signature: 'signature', expires: 'expires' };
    let server: TestServer;
    let downloadUrl: string;
    beforeAll(async () => {
      server = await startTestServer(backend);
      const result = await multipartUpload(server.url, [{ name: NAME, content: BYTES, type: 'application/pdf' }]);
      downloadUrl = result.body.data.createUpload.upload.files[0].downloadUrl;
    });
    afterAll(() => server?.stop());

    it('serves identical bytes through the signed URL without an Authorization header', async () => {
      const response = await fetch(downloadUrl);
      expect(response.status).toBe(200);
      expect(sha256(new Uint8Array(await response.arrayBuffer()))).toBe(sha256(BYTES));
      expect(response.headers.get('content-type')).toBe('application/pdf');
    });

    it('sends an RFC 6266 Content-Disposition with an ASCII fallback and an RFC 5987 filename*', async () => {
      const disposition = (await fetch(downloadUrl)).headers.get('content-disposition')!;
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
      expect((await fetch(url)).status).toBe(403);
    });

    it('refuses a URL whose expiry was extended', async () => {
      const url = new URL(downloadUrl);
      url.searchParams.set(params.expires, String(Number(url.searchParams.get(params.expires)) + 3600));
      expect((await fetch(url)).status).toBe(403);
    });

    it('refuses a URL pointing at another file with the same signature', async () => {
      const url = new URL(downloadUrl);
      url.pathname = url.pathname.replace(/\/[^/]+$/, '/metadata.json');
      expect((await fetch(url)).status).toBe(403);
    });
  });
}

describe('download link expiry', () => {
  it('refuses a link after its TTL', async () => {
    const [backend] = await backends();
    const server = await startTestServer(backend!, { STUF_DOWNLOAD_URL_TTL_SECONDS: '1' });
    try {
      const result = await multipartUpload(server.url, [{ name: 'soon-gone.txt', content: 'x' }]);
      const url = result.body.data.createUpload.upload.files[0].downloadUrl as string;
      expect((await fetch(url)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 2_100));
      const expired = await fetch(url);
      expect(expired.status).toBe(403);
      expect(await expired.text()).toMatch(/expired/i);
    } finally {
      await server.stop();
    }
  });
});
