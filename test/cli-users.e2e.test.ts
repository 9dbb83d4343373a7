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
    beforeAll(async () => {
      server = await startUsersTestServer(backend);
    });
    afterAll(() => server?.stop());

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
  });
}
