import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StufClient } from '@stuf/sdk/node';
import { backends } from './helpers/backends.js';
import { clientFor, file, uploaded } from './helpers/client.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { apiTokenFor, createUser } from './helpers/users.js';

/** Replaces the ids in recorded calls, so the list reads as the protocol it is. */
const shape = (calls: string[], uploadId: string) =>
  calls.map((call) => call.replace(uploadId, '<upload>').replace(/journal\/[^ ]+\.json$/, 'journal/<entry>.json')).sort();

for (const backend of await backends()) {
  describe(`storage requests of one createUpload on ${backend.name}`, () => {
    let server: TestServer;
    let stuf: StufClient;
    beforeAll(async () => {
      // No config revalidation timer firing in the middle of the count.
      server = await startTestServer(backend, { STUF_CONFIG_REFRESH_MS: '3600000' });
      stuf = clientFor(server);
      await stuf.uploads(); // a first request: caches warm, as on a running server
    });
    afterAll(() => server?.stop());

    it('stores the file and makes five other requests: metadata, journal, cache invalidation, authentication, access history', async () => {
      server.storageCalls.length = 0;
      const { id } = uploaded(await stuf.createUpload({ files: [file('report.pdf', 'x'.repeat(10_000), 'application/pdf')], metadata: {} }));
      expect(shape(server.storageCalls, id)).toEqual(
        [
          'put-stream uploads/<upload>/data/report.pdf',
          'put uploads/<upload>/metadata.json',
          'put journal/<entry>.json',
          'delete uploads.json',
          'get users.json', // conditional: a suspension on any replica applies to the next request
          'put users/bootstrap-admin.json', // access history, If-Match on the version this replica last wrote
        ].sort(),
      );
    });

    it('a second upload costs the same: the access-history write starts from the version the first one wrote', async () => {
      uploaded(await stuf.createUpload({ files: [file('a.txt', 'a')], metadata: {} }));
      server.storageCalls.length = 0;
      const { id } = uploaded(await stuf.createUpload({ files: [file('b.txt', 'b')], metadata: {} }));
      expect(server.storageCalls.filter((call) => !call.includes(id))).toHaveLength(4);
      expect(server.storageCalls.filter((call) => call.startsWith('get ') || call.startsWith('head '))).toEqual(['get users.json']);
    });

    it('an integrator\'s upload with an API token records the token use and the upload in one access-history write', async () => {
      const participant = await createUser(stuf, { name: 'Integrator', email: 'integrator@example.org', phone: '+41790000001', role: 'PARTICIPANT' });
      const { token, id: tokenId } = await apiTokenFor(stuf, participant.id);
      const integrator = clientFor(server, { token });
      server.storageCalls.length = 0;
      const { id } = uploaded(await integrator.createUpload({ files: [file('data.csv', 'a,b\n1,2\n', 'text/csv')], metadata: {} }));
      expect(server.storageCalls.filter((call) => call.includes(`users/${participant.id}.json`))).toEqual([`put users/${participant.id}.json`]);
      const stored = await server.driver.get(`users/${participant.id}.json`);
      const document = JSON.parse(stored.notModified ? '{}' : await text(stored.body)) as { activity: { accessHistory: { time: string; event: string; uploadId?: string; tokenId?: string }[]; apiTokensLastUsedAt: Record<string, string> } };
      expect(document.activity.accessHistory.map(({ event, uploadId, tokenId: used }) => ({ event, uploadId, tokenId: used }))).toEqual([
        { event: 'upload', uploadId: id, tokenId: undefined },
        { event: 'download', uploadId: id, tokenId: undefined },
        { event: 'token-use', uploadId: undefined, tokenId },
      ]);
      expect(document.activity.apiTokensLastUsedAt[tokenId]).toBe(document.activity.accessHistory[2]!.time);
    });
  });
}
