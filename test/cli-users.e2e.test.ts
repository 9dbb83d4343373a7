import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStufCli } from './helpers/cli.js';
import { backends } from './helpers/backends.js';
import { clientFor } from './helpers/client.js';
import { startUsersTestServer, type UsersTestServer } from './helpers/users.js';

/** `stuf <args>` in-process against `url` with the admin token. */
const stuf = (url: string, args: string[]) => runStufCli(url, args);

for (const backend of await backends()) {
  describe(`stuf users on ${backend.name}`, () => {
    let server: UsersTestServer;
    let dir: string;
    beforeAll(async () => {
      server = await startUsersTestServer(backend);
      dir = await mkdtemp(path.join(tmpdir(), 'stuf-cli-users-'));
    });
    afterAll(async () => {
      await server?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    /** Writes a CSV of users (header + rows) and answers its path. */
    const csvFile = async (name: string, rows: string[]) => {
      const file = path.join(dir, name);
      await writeFile(file, `name,email,phone,role,expiry\n${rows.join('\n')}\n`);
      return file;
    };
    const listedEmails = async (search: string) => (JSON.parse((await stuf(server.url, ['users', 'list', '--search', search, '--json'])).out) as { email: string }[]).map((user) => user.email).sort();

    it('creates a user, lists it with its decrypted contact data, and issues a working API token', async () => {
      const created = await stuf(server.url, ['users', 'create', '--name', 'Cli Person', '--email', 'cli@example.org', '--phone', '+41795550000']);
      expect(created.code).toBe(0);
      const id = created.out.trim();

      const listed = await stuf(server.url, ['users', 'list', '--search', 'cli@', '--json']);
      expect(JSON.parse(listed.out)).toMatchObject([{ id, name: 'Cli Person', email: 'cli@example.org', phone: '+41795550000', role: 'PARTICIPANT', status: 'INVITED' }]);

      const issued = await stuf(server.url, ['users', 'token', id, '--label', 'integration']);
      expect(issued.code).toBe(0);
      expect(issued.err).toMatch(/shown once/);
      expect((await clientFor(server, { token: issued.out.trim() }).me()).actor.id).toBe(id);
    });

    it('exits 3 with the typed reason when the server refuses a new user', async () => {
      const refused = await stuf(server.url, ['users', 'create', '--name', 'X', '--email', 'not-an-email', '--phone', '+41795550001']);
      expect(refused.code).toBe(3);
      expect(refused.err).toMatch(/VALIDATION_FAILED.*input\.email/);
    });

    it('imports users from a CSV file and exits 0 when every row was created', async () => {
      const file = await csvFile('good.csv', ['Ann Import,ann@import.example.org,+41791110001,participant,', 'Bob Import,bob@import.example.org,+41791110002,admin,2099-01-31']);
      const imported = await stuf(server.url, ['users', 'import', file]);
      expect(imported).toMatchObject({ code: 0, out: 'Created 2 of 2 users.\n' });
      expect(await listedEmails('@import.example.org')).toEqual(['ann@import.example.org', 'bob@import.example.org']);
    });

    it('reports the rows it could not create with their line and reason, creates the others, and exits 3', async () => {
      const file = await csvFile('mixed.csv', ['Cy Mixed,cy@mixed.example.org,+41791110003,participant,', 'Bad Mixed,not-an-email,+41791110004,participant,', 'Cy Again,CY@mixed.example.org,+41791110005,participant,']);
      const imported = await stuf(server.url, ['users', 'import', file]);
      expect(imported.code).toBe(3);
      expect(imported.out).toMatch(/^Created 1 of 3 users\./);
      expect(imported.out).toMatch(/^3 +invalid +.*email/m);
      expect(imported.out).toMatch(/^4 +duplicate /m);
      expect(imported.err).toMatch(/2 of 3 rows not created/);
      expect(await listedEmails('@mixed.example.org')).toEqual(['cy@mixed.example.org']);
    });

    it('--dry-run checks every row and creates nobody', async () => {
      const file = await csvFile('dry.csv', ['Dee Dry,dee@dry.example.org,+41791110006,participant,']);
      expect(await stuf(server.url, ['users', 'import', file, '--dry-run'])).toMatchObject({ code: 0, out: 'Dry run: would create 1 of 1 users.\n' });
      const checked = await stuf(server.url, ['users', 'import', file, '--dry-run', '--json']);
      expect(JSON.parse(checked.out)).toMatchObject({ dryRun: true, total: 1, created: 0, problems: [] });
      expect(await listedEmails('@dry.example.org')).toEqual([]);
    });
  });
}
