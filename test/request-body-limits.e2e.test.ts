import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  });
}
