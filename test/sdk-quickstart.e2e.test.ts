import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from './helpers/backends.js';
import { clientFor } from './helpers/client.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './helpers/server.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EXAMPLE = 'examples/sdk-quickstart.ts';
const source = readFileSync(new URL(`../${EXAMPLE}`, import.meta.url), 'utf8');

describe('SDK quickstart', () => {
  it('is at most 15 lines and appears verbatim in the README and the SDK README', () => {
    expect(source.trimEnd().split('\n').length).toBeLessThanOrEqual(15);
    for (const readme of ['README.md', 'packages/sdk/README.md']) {
      expect(readFileSync(new URL(`../${readme}`, import.meta.url), 'utf8'), `${readme} should contain ${EXAMPLE}`).toContain(source.trimEnd());
    }
  });
});

for (const backend of await backends()) {
  describe(`SDK quickstart against a running server on ${backend.name}`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(backend);
    });
    afterAll(() => server?.stop());

    it('uploads two files with metadata and lists the upload', async () => {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', EXAMPLE], {
        cwd: ROOT,
        env: { ...process.env, STUF_URL: server.url, STUF_TOKEN: ADMIN_TOKEN },
        timeout: 60_000,
      });
      const id = /^uploaded (\S+)$/m.exec(stdout)?.[1];
      expect(id, stdout).toBeDefined();
      expect(stdout).toMatch(/^1 upload\(s\):$/m);
      expect(stdout).toContain(`${id} `);
      const upload = await clientFor(server).upload(id!);
      expect(upload?.files.map((file) => file.name)).toEqual(['table.csv', 'sdk-quickstart.ts']);
      expect(upload?.files[1]!.size).toBe(Buffer.byteLength(source));
      expect(upload?.metadata).toEqual({ collection: 'quickstart', license: 'confidential' });
    });
  });
}
