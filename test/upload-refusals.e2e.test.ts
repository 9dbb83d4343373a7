import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from './helpers/backends.js';
import { CREATE_UPLOAD, gql, multipartUpload } from './helpers/graphql.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const MAX_FILE_SIZE = 1000;
const MAX_FILES = 3;

for (const backend of await backends()) {
  describe(`refused uploads store nothing, on ${backend.name}`, () => {
    let server: TestServer;
    let baseline: string[];
    beforeAll(async () => {
      server = await startTestServer(backend, { STUF_MAX_FILE_SIZE: String(MAX_FILE_SIZE), STUF_MAX_FILES: String(MAX_FILES), STUF_MAX_QUERY_DEPTH: '5' });
      baseline = await server.keys();
    });
    afterAll(() => server?.stop());

    const expectNothingStored = async () => expect(await server.keys()).toEqual(baseline);

    it('refuses multipart without a preflight header before parsing', async () => {
      const result = await multipartUpload(server.url, [{ name: 'a.txt', content: 'a' }], {}, { preflight: false });
      expect(result.status).toBe(400);
      expect(result.body.errors?.[0]?.extensions?.code).toBe('CSRF_PREFLIGHT_REQUIRED');
      await expectNothingStored();
    });

    it('refuses a file one byte over the size limit with a typed error', async () => {
      const result = await multipartUpload(server.url, [
        { name: 'ok.txt', content: 'fine' },
        { name: 'big.bin', content: new Uint8Array(MAX_FILE_SIZE + 1) },
      ]);
      expect(result.body.data.createUpload).toMatchObject({ __typename: 'LimitExceededError', code: 'LIMIT_EXCEEDED', limit: 'FILE_SIZE', maximum: MAX_FILE_SIZE, path: ['files', 1] });
      await expectNothingStored();
    });

    it('accepts a file exactly at the size limit', async () => {
      const result = await multipartUpload(server.url, [{ name: 'exact.bin', content: new Uint8Array(MAX_FILE_SIZE) }]);
      expect(result.body.data.createUpload.__typename).toBe('CreateUploadPayload');
      expect(result.body.data.createUpload.upload.files[0].size).toBe(MAX_FILE_SIZE);
      baseline = await server.keys();
    });

    it('refuses one file more than the count limit', async () => {
      const files = Array.from({ length: MAX_FILES + 1 }, (_, i) => ({ name: `f${i}.txt`, content: `file ${i}` }));
      const result = await multipartUpload(server.url, files);
      expect(result.status).toBe(413);
      expect(result.body.errors?.[0]?.extensions?.code).toBe('LIMIT_EXCEEDED');
      await expectNothingStored();
    });

    it('refuses malformed operations JSON', async () => {
      const result = await multipartUpload(server.url, [{ name: 'a.txt', content: 'a' }], {}, { operations: '{"query": ' });
      expect(result.status).toBe(400);
      expect(result.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
      await expectNothingStored();
    });

    it('refuses malformed map JSON', async () => {
      const result = await multipartUpload(server.url, [{ name: 'a.txt', content: 'a' }], {}, { map: '{"0": [' });
      expect(result.status).toBe(400);
      expect(result.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
      await expectNothingStored();
    });

    it('refuses a map path that does not point into the operation', async () => {
      const result = await multipartUpload(server.url, [{ name: 'a.txt', content: 'a' }], {}, { map: '{"0": ["__proto__.polluted"]}' });
      expect(result.status).toBe(400);
      expect(result.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
      await expectNothingStored();
    });

    it('refuses an upload without a token', async () => {
      const result = await multipartUpload(server.url, [{ name: 'a.txt', content: 'a' }], {}, { token: null });
      expect(result.status).toBe(401);
      expect(result.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      await expectNothingStored();
    });

    it('refuses an upload with a wrong token', async () => {
      const result = await multipartUpload(server.url, [{ name: 'a.txt', content: 'a' }], {}, { token: 'wrong-token-wrong-token' });
      expect(result.status).toBe(401);
      expect(result.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      await expectNothingStored();
    });

    it('refuses metadata that is not a JSON object with a validation error', async () => {
      const result = await multipartUpload(server.url, [{ name: 'a.txt', content: 'a' }], ['not', 'an', 'object']);
      expect(result.body.data.createUpload).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
      expect(result.body.data.createUpload.issues[0].path[0]).toBe('metadata');
      await expectNothingStored();
    });

    it('answers health without a token but nothing else', async () => {
      expect((await gql(server.url, '{ health { ok storage } }', {}, null)).body.data.health).toEqual({ ok: true, storage: backend.name });
      const uploads = await gql(server.url, '{ uploads { totalCount } }', {}, null);
      expect(uploads.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(uploads.body.data ?? null).toBeNull();
    });

    it('refuses queries deeper than the depth limit', async () => {
      const tooDeep = await gql(server.url, '{ uploads { edges { node { ... on Upload { files { name } } } } } }');
      expect(tooDeep.body.errors?.[0]?.message).toMatch(/depth/i);
      expect((await gql(server.url, '{ uploads { totalCount } }')).body.errors).toBeUndefined();
    });

    it('refuses a plain-text POST without a preflight header (CSRF)', async () => {
      const response = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: CREATE_UPLOAD }) });
      expect(response.status).toBe(400);
    });
  });
}
