import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateUploadDocument } from '@stuf/sdk/node';
import { backends } from './helpers/backends.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './helpers/server.js';

const MAX_JSON_BODY_BYTES = 4096;

interface Answer {
  status: number;
  body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

/** POSTs a JSON body to /graphql in chunks, without Content-Length (Transfer-Encoding: chunked). */
function postChunked(url: string, chunks: string[]): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Answer['body'] }));
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

/** A valid GraphQL JSON body of about `bytes` bytes (the padding is a variable the query ignores). */
const bodyOf = (bytes: number) => JSON.stringify({ query: '{ uploads { totalCount } }', variables: { padding: 'x'.repeat(Math.max(0, bytes - 60)) } });
/** A GraphQL multipart `createUpload` of one small file, as bytes. */
function multipartUpload(boundary: string, name: string, content: string): Buffer {
  const part = (headers: string, body: string) => `--${boundary}\r\n${headers}\r\n\r\n${body}\r\n`;
  const operations = JSON.stringify({ query: String(CreateUploadDocument), variables: { input: { files: [null], metadata: {} } } });
  return Buffer.from(
    part('Content-Disposition: form-data; name="operations"', operations) +
      part('Content-Disposition: form-data; name="map"', JSON.stringify({ 0: ['variables.input.files.0'] })) +
      part(`Content-Disposition: form-data; name="0"; filename="${name}"\r\nContent-Type: text/plain`, content) +
      `--${boundary}--\r\n`,
  );
}

/**
 * Sends a multipart upload with `Expect: 100-continue` the way curl does for large bodies: headers first, the body
 * only after `100 Continue`. Answers the status, the answer, and whether the server asked for the body.
 */
function expectContinueUpload(url: string, token: string | null, body: Buffer, announcedBytes = body.length): Promise<Answer & { continued: boolean }> {
  const boundary = 'stuf-test-boundary';
  return new Promise((resolve, reject) => {
    let continued = false;
    const req = request(`${url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(announcedBytes),
        'graphql-preflight': '1',
        expect: '100-continue',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    });
    req.on('continue', () => {
      continued = true;
      req.end(body);
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Answer['body'], continued });
      });
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}

const chunksOf = (text: string, size: number) => Array.from({ length: Math.ceil(text.length / size) }, (_, index) => text.slice(index * size, (index + 1) * size));

for (const backend of await backends()) {
  describe(`request body limits on ${backend.name}`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(backend, { STUF_MAX_JSON_BODY_BYTES: String(MAX_JSON_BODY_BYTES) });
    });
    afterAll(() => server?.stop());

    it('refuses a JSON body whose Content-Length is over STUF_MAX_JSON_BODY_BYTES with LIMIT_EXCEEDED', async () => {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
        body: bodyOf(MAX_JSON_BODY_BYTES + 100),
      });
      expect(response.status).toBe(413);
      expect(((await response.json()) as Answer['body']).errors?.[0]?.extensions?.code).toBe('LIMIT_EXCEEDED');
    });

    it('refuses a chunked JSON body (no Content-Length) once it grows over the limit', async () => {
      const answer = await postChunked(server.url, chunksOf(bodyOf(MAX_JSON_BODY_BYTES * 4), 1000));
      expect(answer.status).toBe(413);
      expect(answer.body.errors?.[0]).toMatchObject({ message: `Request bodies are limited to ${MAX_JSON_BODY_BYTES} bytes`, extensions: { code: 'LIMIT_EXCEEDED' } });
    });

    it('answers a chunked JSON body within the limit', async () => {
      const answer = await postChunked(server.url, chunksOf(bodyOf(MAX_JSON_BODY_BYTES - 200), 1000));
      expect(answer).toMatchObject({ status: 200, body: { data: { uploads: { totalCount: 0 } } } });
    });

    it('refuses an upload without a token before the client sends its body (Expect: 100-continue)', async () => {
      const answer = await expectContinueUpload(server.url, null, Buffer.alloc(0), 50_000_000);
      expect(answer).toMatchObject({ status: 401, continued: false, body: { errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] } });
    });

    it('asks an authenticated client for its body with 100 Continue and stores the upload', async () => {
      const answer = await expectContinueUpload(server.url, ADMIN_TOKEN, multipartUpload('stuf-test-boundary', 'continued.txt', 'sent after 100 Continue'));
      expect(answer).toMatchObject({ status: 200, continued: true, body: { data: { createUpload: { __typename: 'CreateUploadPayload' } } } });
    });
  });
}
