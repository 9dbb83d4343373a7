import { createHash } from 'node:crypto';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from './helpers/backends.js';
import { gql, multipartUpload } from './helpers/graphql.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

const UPLOADS = /* GraphQL */ `
  query Uploads($first: Int, $after: String, $filter: UploadFilter, $search: String) {
    uploads(first: $first, after: $after, filter: $filter, search: $search) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id uploader { id } metadata files { name size sha256 } } }
    }
  }
`;

for (const backend of await backends()) {
  describe(`uploads end to end on ${backend.name}`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(backend);
    });
    afterAll(() => server?.stop());

    it('stores every file with its size and sha256 and lists the upload', async () => {
      const pdf = new Uint8Array(300_000).map((_, i) => (i * 7) % 251);
      const csv = 'name,value\nalpha,1\nbeta,2\n';
      const result = await multipartUpload(server.url, [
        { name: 'report.pdf', content: pdf, type: 'application/pdf' },
        { name: 'table.csv', content: csv, type: 'text/csv' },
      ], { collection: 'pilot', license: 'confidential' });
      expect(result.status).toBe(200);
      const upload = result.body.data.createUpload.upload;
      expect(upload.files.map((f: { name: string; size: number; sha256: string }) => [f.name, f.size, f.sha256])).toEqual([
        ['report.pdf', pdf.length, sha256(pdf)],
        ['table.csv', Buffer.byteLength(csv), sha256(csv)],
      ]);

      const listed = await gql(server.url, UPLOADS, { search: 'pilot' });
      expect(listed.body.data.uploads.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([upload.id]);
      expect(listed.body.data.uploads.edges[0].node.files).toEqual(upload.files.map(({ name, size, sha256 }: Record<string, unknown>) => ({ name, size, sha256 })));
    });

    it('writes metadata.json, the bytes under data/ and one journal entry for the upload', async () => {
      const before = await server.keys();
      const result = await multipartUpload(server.url, [{ name: 'notes.txt', content: 'hello journal' }], { comments: 'x' });
      const id = result.body.data.createUpload.upload.id as string;
      const added = (await server.keys()).filter((key) => !before.includes(key));
      expect(added.filter((key) => key.startsWith(`uploads/${id}/`)).sort()).toEqual([`uploads/${id}/data/notes.txt`, `uploads/${id}/metadata.json`]);
      expect(added.filter((key) => key.startsWith('journal/'))).toHaveLength(1);
      const stored = await server.driver.get(`uploads/${id}/data/notes.txt`);
      expect(stored.notModified ? '' : await text(stored.body)).toBe('hello journal');
    });

    it('regenerates uploads.json with the same content after it is deleted', async () => {
      await gql(server.url, UPLOADS);
      const original = await server.driver.get('uploads.json');
      const originalText = original.notModified ? '' : await text(original.body);
      await server.driver.delete('uploads.json');
      const listed = await gql(server.url, UPLOADS);
      expect(listed.body.errors).toBeUndefined();
      const regenerated = await server.driver.get('uploads.json');
      expect(regenerated.notModified ? '' : await text(regenerated.body)).toBe(originalText);
    });

    it('pages through uploads with keyset cursors and a total count', async () => {
      for (let i = 0; i < 3; i++) await multipartUpload(server.url, [{ name: `page-${i}.txt`, content: `page ${i}` }], { collection: 'paging' });
      const first = await gql(server.url, UPLOADS, { first: 2, search: 'paging' });
      expect(first.body.data.uploads.totalCount).toBe(3);
      expect(first.body.data.uploads.pageInfo.hasNextPage).toBe(true);
      const second = await gql(server.url, UPLOADS, { first: 2, after: first.body.data.uploads.pageInfo.endCursor, search: 'paging' });
      const names = [...first.body.data.uploads.edges, ...second.body.data.uploads.edges].map((e: { node: { files: { name: string }[] } }) => e.node.files[0]!.name);
      expect(names).toEqual(['page-2.txt', 'page-1.txt', 'page-0.txt']);
      expect(second.body.data.uploads.pageInfo.hasNextPage).toBe(false);
    });

    it('searches file names case-insensitively and filters by uploader and date range', async () => {
      const made = await multipartUpload(server.url, [{ name: 'Quarterly-REPORT-xyz.txt', content: 'q' }]);
      const { id, createdAt } = made.body.data.createUpload.upload;
      const byName = await gql(server.url, UPLOADS, { search: 'report-XYZ' });
      expect(byName.body.data.uploads.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([id]);
      const inRange = await gql(server.url, UPLOADS, { search: 'report-xyz', filter: { createdAfter: createdAt, uploaderId: 'bootstrap-admin' } });
      expect(inRange.body.data.uploads.totalCount).toBe(1);
      const afterIt = await gql(server.url, UPLOADS, { search: 'report-xyz', filter: { createdAfter: new Date(Date.parse(createdAt) + 1).toISOString() } });
      expect(afterIt.body.data.uploads.totalCount).toBe(0);
      const otherUploader = await gql(server.url, UPLOADS, { search: 'report-xyz', filter: { uploaderId: 'someone-else' } });
      expect(otherUploader.body.data.uploads.totalCount).toBe(0);
    });

    it('returns one upload by id and null for an unknown id', async () => {
      const made = await multipartUpload(server.url, [{ name: 'single.txt', content: 'one' }]);
      const { id } = made.body.data.createUpload.upload;
      const query = 'query ($id: ID!) { upload(id: $id) { id files { name } } }';
      expect((await gql(server.url, query, { id })).body.data.upload).toEqual({ id, files: [{ name: 'single.txt' }] });
      expect((await gql(server.url, query, { id: 'does-not-exist' })).body.data.upload).toBeNull();
    });

    it('stores a file named ../../users.json inside its upload data folder and touches nothing else', async () => {
      const before = await server.keys();
      const result = await multipartUpload(server.url, [{ name: '../../users.json', content: '{"evil":true}' }]);
      const upload = result.body.data.createUpload.upload;
      const added = (await server.keys()).filter((key) => !before.includes(key));
      // The multipart parser keeps only the base name; whatever is left is made safe again before it becomes a key.
      expect(added.filter((key) => key.startsWith('uploads/')).sort()).toEqual([`uploads/${upload.id}/data/${upload.files[0].name}`, `uploads/${upload.id}/metadata.json`]);
      expect(added.filter((key) => !key.startsWith('uploads/') && !key.startsWith('journal/'))).toEqual([]);
      expect(await server.keys()).not.toContain('users.json');
    });

    it('makes file names that collide inside one upload unique', async () => {
      const result = await multipartUpload(server.url, [
        { name: 'same.txt', content: 'first' },
        { name: 'same.txt', content: 'second' },
      ]);
      const { id, files } = result.body.data.createUpload.upload;
      expect(files.map((f: { name: string }) => f.name)).toEqual(['same.txt', 'same.txt']);
      const keys = (await server.keys()).filter((key) => key.startsWith(`uploads/${id}/data/`));
      expect(keys).toEqual([`uploads/${id}/data/same (2).txt`, `uploads/${id}/data/same.txt`]);
    });
  });
}
