import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateUploadDocument, StufError, type StufClient } from '@stuf/sdk/node';
import { backends } from './helpers/backends.js';
import { clientFor, file, uploaded } from './helpers/client.js';
import { rawMultipartUpload } from './helpers/graphql.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const MAX_FILE_SIZE = 1000;
const MAX_FILES = 3;

/** The StufError a promise rejects with (fails the test if it resolves or rejects with anything else). */
async function failure(promise: Promise<unknown>): Promise<StufError> {
  const error = await promise.then(
    (value) => {
      throw new Error(`expected a StufError, got ${JSON.stringify(value)}`);
    },
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(StufError);
  return error as StufError;
}

for (const backend of await backends()) {
  describe(`refused uploads store nothing, on ${backend.name}`, () => {
    let server: TestServer;
    let stuf: StufClient;
    let baseline: string[];
    beforeAll(async () => {
      server = await startTestServer(backend, { STUF_MAX_FILE_SIZE: String(MAX_FILE_SIZE), STUF_MAX_FILES: String(MAX_FILES), STUF_MAX_QUERY_DEPTH: '5' });
      stuf = clientFor(server);
      baseline = await server.keys();
    });
    afterAll(() => server?.stop());

    const expectNothingStored = async () => expect(await server.keys()).toEqual(baseline);

    it('refuses multipart without a preflight header before parsing', async () => {
      // Raw HTTP: the SDK always sends the preflight header.
      const result = await rawMultipartUpload(server.url, [{ name: 'a.txt', content: 'a' }], { preflight: false });
      expect(result.status).toBe(400);
      expect(result.body.errors?.[0]?.extensions?.code).toBe('CSRF_PREFLIGHT_REQUIRED');
      await expectNothingStored();
    });

    it('refuses a file one byte over the size limit with a typed error', async () => {
      const result = await stuf.createUpload({ files: [file('ok.txt', 'fine'), file('big.bin', new Uint8Array(MAX_FILE_SIZE + 1))] });
      expect(result).toMatchObject({ __typename: 'LimitExceededError', code: 'LIMIT_EXCEEDED', limit: 'FILE_SIZE', maximum: MAX_FILE_SIZE, path: ['files', 1] });
      await expectNothingStored();
    });

    it('accepts a file exactly at the size limit', async () => {
      const upload = uploaded(await stuf.createUpload({ files: [file('exact.bin', new Uint8Array(MAX_FILE_SIZE))] }));
      expect(upload.files[0]!.size).toBe(MAX_FILE_SIZE);
      baseline = await server.keys();
    });

    it('refuses one file more than the count limit', async () => {
      const files = Array.from({ length: MAX_FILES + 1 }, (_, i) => file(`f${i}.txt`, `file ${i}`));
      const error = await failure(stuf.createUpload({ files }));
      expect(error.status).toBe(413);
      expect(error.code).toBe('LIMIT_EXCEEDED');
      expect(error.message).toBe(`At most ${MAX_FILES} files per upload`);
      expect(error.attempts).toBe(1);
      await expectNothingStored();
    });

    it('refuses malformed operations JSON', async () => {
      // Raw HTTP: the SDK only sends well-formed multipart requests.
      const result = await rawMultipartUpload(server.url, [{ name: 'a.txt', content: 'a' }], { operations: '{"query": ' });
      expect(result.status).toBe(400);
      expect(result.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
      await expectNothingStored();
    });

    it('refuses malformed map JSON', async () => {
      // Raw HTTP: the SDK only sends well-formed multipart requests.
      const result = await rawMultipartUpload(server.url, [{ name: 'a.txt', content: 'a' }], { map: '{"0": [' });
      expect(result.status).toBe(400);
      expect(result.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
      await expectNothingStored();
    });

    it('refuses a map path that does not point into the operation', async () => {
      // Raw HTTP: the SDK builds `map` itself and never points it outside the operation.
      const result = await rawMultipartUpload(server.url, [{ name: 'a.txt', content: 'a' }], { map: '{"0": ["__proto__.polluted"]}' });
      expect(result.status).toBe(400);
      expect(result.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
      await expectNothingStored();
    });

    it('refuses an upload without a token', async () => {
      const error = await failure(clientFor(server, { token: null }).createUpload({ files: [file('a.txt', 'a')] }));
      expect(error.status).toBe(401);
      expect(error.code).toBe('UNAUTHENTICATED');
      await expectNothingStored();
    });

    it('refuses an upload with a wrong token', async () => {
      const error = await failure(clientFor(server, { token: 'wrong-token-wrong-token' }).createUpload({ files: [file('a.txt', 'a')] }));
      expect(error.status).toBe(401);
      expect(error.code).toBe('UNAUTHENTICATED');
      await expectNothingStored();
    });

    it('refuses metadata that is not a JSON object with a validation error', async () => {
      const result = await stuf.createUpload({ files: [file('a.txt', 'a')], metadata: ['not', 'an', 'object'] });
      expect(result).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
      expect(result.__typename === 'ValidationError' && result.issues[0]!.path[0]).toBe('metadata');
      await expectNothingStored();
    });

    it('refuses a string or a plain object as a file before sending anything', async () => {
      for (const bad of ['x', { name: 'a.txt', content: 'a' }]) {
        // @ts-expect-error -- the File scalar does not accept strings or plain objects (see packages/sdk type test)
        const error = await failure(stuf.createUpload({ files: [bad] }));
        expect(error.code).toBe('INVALID_INPUT');
        expect(error.status).toBeUndefined();
      }
      await expectNothingStored();
    });

    it('answers health without a token but nothing else', async () => {
      const anonymous = clientFor(server, { token: null });
      expect(await anonymous.health()).toEqual({ ok: true, storage: backend.name });
      const error = await failure(anonymous.uploads());
      expect(error.code).toBe('UNAUTHENTICATED');
      expect(error.data ?? null).toBeNull();
    });

    it('refuses queries deeper than the depth limit', async () => {
      const error = await failure(stuf.request('{ uploads { edges { node { ... on Upload { files { name } } } } } }'));
      expect(error.message).toMatch(/depth/i);
      await expect(stuf.request<{ uploads: { totalCount: number } }>('{ uploads { totalCount } }')).resolves.toEqual({ uploads: { totalCount: expect.any(Number) } });
    });

    it('refuses a plain-text POST without a preflight header (CSRF)', async () => {
      // Raw HTTP: the SDK never sends text/plain.
      const response = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: String(CreateUploadDocument) }) });
      expect(response.status).toBe(400);
    });
  });
}
