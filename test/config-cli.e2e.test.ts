import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StufClient } from '@stuf/sdk/node';
import { backends } from './helpers/backends.js';
import { runStufCli } from './helpers/cli.js';
import { clientFor } from './helpers/client.js';
import { everyKindMetadataConfig } from './helpers/config-fixtures.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/** The CLI against this test server. */
const stufCli = (server: TestServer, ...args: string[]) => runStufCli(server.url, args);

for (const backend of await backends()) {
  describe(`stuf config on ${backend.name}`, () => {
    let server: TestServer;
    let stuf: StufClient;
    let dir: string;
    beforeAll(async () => {
      server = await startTestServer(backend);
      stuf = clientFor(server);
      dir = await mkdtemp(path.join(tmpdir(), 'stuf-cli-config-'));
    });
    afterAll(async () => {
      await server?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    it('sets one value and reads it back', async () => {
      expect(await stufCli(server, 'config', 'set', 'uploads.allowedExtensions', '["pdf","csv"]')).toMatchObject({ code: 0, out: 'Published revision 2.\n' });
      expect(JSON.parse((await stufCli(server, 'config', 'get', 'uploads.allowedExtensions')).out)).toEqual(['pdf', 'csv']);
    });

    it('refuses an invalid value with the problem and its path, exit code 3', async () => {
      const result = await stufCli(server, 'config', 'set', 'uploads.maxFilesPerUpload', '0');
      expect(result.code).toBe(3);
      expect(result.err).toContain('config.uploads.maxFilesPerUpload');
    });

    it('refuses a misspelled setting instead of adding it, exit code 3', async () => {
      const result = await stufCli(server, 'config', 'set', 'uploads.maxFileSize', '10');
      expect(result.code).toBe(3);
      expect(result.err).toContain('config.uploads');
      expect((await stuf.stufConfig()).uploads).not.toHaveProperty('maxFileSize');
    });

    it('refuses a path under a setting that does not exist, exit code 5', async () => {
      expect(await stufCli(server, 'config', 'set', 'limits.maxFiles', '10')).toMatchObject({ code: 5, err: 'stuf: no setting limits.maxFiles\n' });
    });

    it('publishes a whole metadata config from a file', async () => {
      const file = path.join(dir, 'metadata.json');
      await writeFile(file, JSON.stringify(everyKindMetadataConfig()));
      expect(await stufCli(server, 'config', 'set', '--metadata', '--file', file)).toMatchObject({ code: 0 });
      expect((await stuf.uploadRequirements()).fields.map((field) => field.key)).toContain('personalData');
    });
  });
}
