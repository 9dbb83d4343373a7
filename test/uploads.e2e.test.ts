import { createHash } from 'node:crypto';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StufClient } from '@stuf/sdk/node';
import { backends } from './helpers/backends.js';
import { clientFor, file, uploaded } from './helpers/client.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');
const ids = (connection: { edges: { node: { id: string } }[] }) => connection.edges.map((edge) => edge.node.id);

for (const backend of await backends()) {
  describe(`uploads end to end on ${backend.name}`, () => {
    let server: TestServer;
    let stuf: StufClient;
    beforeAll(async () => {
      server = await startTestServer(backend);
      stuf = clientFor(server);
    });
    afterAll(() => server?.stop());

    it('stores every file with its size and sha256 and lists the upload', async () => {
      const pdf = new Uint8Array(300_000).map((_, i) => (i * 7) % 251);
      const csv = 'name,value\nalpha,1\nbeta,2\n';
      const upload = uploaded(
        await stuf.createUpload({
          files: [file('report.pdf', pdf, 'application/pdf'), file('table.csv', csv, 'text/csv')],
          metadata: { collection: 'pilot', license: 'confidential' },
        }),
      );
      expect(upload.files.map((f) => [f.name, f.size, f.sha256, f.contentType])).toEqual([
        ['report.pdf', pdf.length, sha256(pdf), 'application/pdf'],
        ['table.csv', Buffer.byteLength(csv), sha256(csv), 'text/csv'],
      ]);
      expect(upload.metadata).toEqual({ collection: 'pilot', license: 'confidential' });

      const listed = await stuf.uploads({ search: 'pilot' });
      expect(ids(listed)).toEqual([upload.id]);
      const summary = (files: { name: string; size: number; sha256: string }[]) => files.map(({ name, size, sha256 }) => ({ name, size, sha256 }));
      expect(summary(listed.edges[0]!.node.files)).toEqual(summary(upload.files));
    });

    it('writes metadata.json, the bytes under data/ and one journal entry for the upload', async () => {
      const before = await server.keys();
      const { id } = uploaded(await stuf.createUpload({ files: [file('notes.txt', 'hello journal')], metadata: { comments: 'x' } }));
      const added = (await server.keys()).filter((key) => !before.includes(key));
      expect(added.filter((key) => key.startsWith(`uploads/${id}/`)).sort()).toEqual([`uploads/${id}/data/notes.txt`, `uploads/${id}/metadata.json`]);
      expect(added.filter((key) => key.startsWith('journal/'))).toHaveLength(1);
      const stored = await server.driver.get(`uploads/${id}/data/notes.txt`);
      expect(stored.notModified ? '' : await text(stored.body)).toBe('hello journal');
    });

    it('regenerates uploads.json with the same content after it is deleted', async () => {
      await stuf.uploads();
      const original = await server.driver.get('uploads.json');
      const originalText = original.notModified ? '' : await text(original.body);
      await server.driver.delete('uploads.json');
      // Resolves (no request-level error) and regenerates the cache.
      await expect(stuf.uploads()).resolves.toMatchObject({ totalCount: expect.any(Number) });
      const regenerated = await server.driver.get('uploads.json');
      expect(regenerated.notModified ? '' : await text(regenerated.body)).toBe(originalText);
    });

    it('pages through uploads with keyset cursors and a total count', async () => {
      for (let i = 0; i < 3; i++) uploaded(await stuf.createUpload({ files: [file(`page-${i}.txt`, `page ${i}`)], metadata: { collection: 'paging' } }));
      const first = await stuf.uploads({ first: 2, search: 'paging' });
      expect(first.totalCount).toBe(3);
      expect(first.pageInfo.hasNextPage).toBe(true);
      const second = await stuf.uploads({ first: 2, after: first.pageInfo.endCursor, search: 'paging' });
      const names = [...first.edges, ...second.edges].map((edge) => edge.node.files[0]!.name);
      expect(names).toEqual(['page-2.txt', 'page-1.txt', 'page-0.txt']);
      expect(second.pageInfo.hasNextPage).toBe(false);
      // The SDK's iterator walks the same pages.
      const all: string[] = [];
      for await (const upload of stuf.iterateUploads({ first: 1, search: 'paging' })) all.push(upload.files[0]!.name);
      expect(all).toEqual(names);
    });

    it('searches file names case-insensitively and filters by uploader and date range', async () => {
      const { id, createdAt } = uploaded(await stuf.createUpload({ files: [file('Quarterly-REPORT-xyz.txt', 'q')] }));
      expect(ids(await stuf.uploads({ search: 'report-XYZ' }))).toEqual([id]);
      expect((await stuf.uploads({ search: 'report-xyz', filter: { createdAfter: createdAt, uploaderId: 'bootstrap-admin' } })).totalCount).toBe(1);
      const afterIt = await stuf.uploads({ search: 'report-xyz', filter: { createdAfter: new Date(Date.parse(createdAt) + 1).toISOString() } });
      expect(afterIt.totalCount).toBe(0);
      expect((await stuf.uploads({ search: 'report-xyz', filter: { uploaderId: 'someone-else' } })).totalCount).toBe(0);
    });

    it('returns one upload by id and null for an unknown id', async () => {
      const { id } = uploaded(await stuf.createUpload({ files: [file('single.txt', 'one')] }));
      const found = await stuf.upload(id);
      expect(found?.id).toBe(id);
      expect(found?.files.map((f) => f.name)).toEqual(['single.txt']);
      expect(await stuf.upload('does-not-exist')).toBeNull();
    });

    it('stores a file named ../../users.json inside its upload data folder and touches nothing else', async () => {
      const before = await server.keys();
      const usersCache = await server.driver.head('users.json');
      const upload = uploaded(await stuf.createUpload({ files: [file('../../users.json', '{"evil":true}')] }));
      const added = (await server.keys()).filter((key) => !before.includes(key));
      // The multipart parser keeps only the base name; whatever is left is made safe again before it becomes a key.
      expect(added.filter((key) => key.startsWith('uploads/')).sort()).toEqual([`uploads/${upload.id}/data/${upload.files[0]!.name}`, `uploads/${upload.id}/metadata.json`]);
      expect(added.filter((key) => !key.startsWith('uploads/') && !key.startsWith('journal/'))).toEqual([]);
      expect((await server.driver.head('users.json')).etag).toBe(usersCache.etag);
    });

    it('makes file names that collide inside one upload unique', async () => {
      const { id, files } = uploaded(await stuf.createUpload({ files: [file('same.txt', 'first'), file('same.txt', 'second')] }));
      expect(files.map((f) => f.name)).toEqual(['same.txt', 'same.txt']);
      const keys = (await server.keys()).filter((key) => key.startsWith(`uploads/${id}/data/`));
      expect(keys).toEqual([`uploads/${id}/data/same (2).txt`, `uploads/${id}/data/same.txt`]);
    });

    it('answers me and, for an admin, the facility config', async () => {
      expect(await stuf.me()).toEqual({ role: 'admin', actor: { id: 'bootstrap-admin', kind: 'admin-token' } });
      expect(await stuf.stufConfig()).toMatchObject({ schemaVersion: 1, projectName: expect.any(String), uploads: expect.any(Object) });
    });
  });
}
