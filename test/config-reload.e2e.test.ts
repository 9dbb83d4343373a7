import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StufClient } from '@stuf/sdk/node';
import type { ServerProcess } from '../bench/lib/server-process.js';
import { backends } from './helpers/backends.js';
import { clientFor, file, uploaded } from './helpers/client.js';
import { editStufConfig, publishMetadataConfig } from './helpers/config-fixtures.js';
import { eventually } from './helpers/poll.js';
import { startReplicaProcess } from './helpers/replica.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const REFRESH_MS = '200';

/** The metadata config in force with `collection` required or not. */
async function withCollectionRequired(stuf: StufClient, required: boolean) {
  const current = await stuf.metadataConfig();
  const fields = (current.fields as { key: string }[]).map((field) => (field.key === 'collection' ? { ...field, required } : field));
  return publishMetadataConfig(stuf, { ...current, fields });
}

for (const backend of await backends()) {
  describe(`config reload across replicas, on ${backend.name}`, () => {
    let first: TestServer;
    let second: ServerProcess;
    let viaFirst: StufClient;
    let viaSecond: StufClient;
    beforeAll(async () => {
      first = await startTestServer(backend, { STUF_CONFIG_REFRESH_MS: REFRESH_MS, LOG_LEVEL: 'warn' }, { captureLogs: true });
      // A second server process on the same bucket: it shares nothing with the first but the bucket.
      second = await startReplicaProcess(first, { STUF_CONFIG_REFRESH_MS: REFRESH_MS });
      viaFirst = clientFor(first);
      viaSecond = clientFor(second);
    });
    afterAll(async () => {
      await second?.stop();
      await first?.stop();
    });

    const metadataRevisionOn = async (stuf: StufClient) => (await stuf.uploadRequirements()).metadataConfigRevision;

    it('enforces a metadata config change made through one server on the other, without restart', async () => {
      expect(uploaded(await viaSecond.createUpload({ files: [file('before.txt', 'b')], metadata: {} })).id).toBeTruthy();
      const revision = await withCollectionRequired(viaFirst, true);
      await eventually(async () => (await metadataRevisionOn(viaSecond)) === revision, { message: `revision ${revision} on the second server` });
      const refused = await viaSecond.createUpload({ files: [file('after.txt', 'a')], metadata: {} });
      expect(refused.__typename === 'ValidationError' && refused.issues.map((issue) => issue.path)).toEqual([['metadata', 'collection']]);
      uploaded(await viaSecond.createUpload({ files: [file('after.txt', 'a')], metadata: { collection: 'reloaded' } }));
    });

    it('enforces a size limit set through one server on the other', async () => {
      const revision = await editStufConfig(viaFirst, (config) => (config.uploads.maxFileSizeBytes = 10));
      await eventually(async () => (await viaSecond.uploadRequirements()).stufConfigRevision === revision, { message: 'the new limit on the second server' });
      const result = await viaSecond.createUpload({ files: [file('eleven.txt', '01234567890')], metadata: { collection: 'x' } });
      expect(result).toMatchObject({ __typename: 'LimitExceededError', limit: 'FILE_SIZE', maximum: 10, path: ['files', 0] });
      await editStufConfig(viaFirst, (config) => (config.uploads.maxFileSizeBytes = null));
    });

    it('logs a broken config file and keeps enforcing the last good version', async () => {
      const good = await withCollectionRequired(viaFirst, true);
      await eventually(async () => (await metadataRevisionOn(viaSecond)) === good, { message: 'the good version everywhere' });
      await first.driver.put('config/metadata_config.json', '{"schemaVersion": 1, "revision": 99, "fields": [', { contentType: 'application/json' });

      await eventually(() => second.stdout().includes('config file is invalid; keeping the last good version'), { message: 'the second server logging the broken file' });
      const logged = await eventually(() => first.logs().find((line) => line.msg === 'config file is invalid; keeping the last good version'), { message: 'the first server logging it' });
      expect(logged).toMatchObject({ key: 'config/metadata_config.json', reason: 'not valid JSON' });
      for (const stuf of [viaFirst, viaSecond]) {
        expect(await metadataRevisionOn(stuf)).toBe(good);
        const refused = await stuf.createUpload({ files: [file('a.txt', 'a')], metadata: {} });
        expect(refused.__typename).toBe('ValidationError');
      }
    });

    it('picks up a repaired config file', async () => {
      // Someone fixes the file by hand: the last good version, with a new revision and collection optional again.
      const [last] = await viaFirst.configHistory('METADATA_CONFIG', { first: 1 });
      const repaired = { ...(last!.config as { fields: { key: string }[] }), revision: 100 };
      repaired.fields = repaired.fields.map((field) => (field.key === 'collection' ? { ...field, required: false } : field));
      await first.driver.put('config/metadata_config.json', JSON.stringify(repaired), { contentType: 'application/json' });
      for (const stuf of [viaFirst, viaSecond]) {
        await eventually(async () => (await metadataRevisionOn(stuf)) === 100, { message: 'the repaired file in force' });
        uploaded(await stuf.createUpload({ files: [file('a.txt', 'a')], metadata: {} }));
      }
    });
  });
}
