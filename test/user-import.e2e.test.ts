import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsersDocument } from '@stuf/sdk/node';
import { backends } from './helpers/backends.js';
import { createUser, importUsers, startUsersTestServer, type ImportResult, type UsersTestServer } from './helpers/users.js';

const report = (result: ImportResult) => {
  if (result.__typename !== 'ImportUsersPayload') throw new Error(`importUsers failed: ${result.__typename} ${result.message}`);
  return result;
};

/** 1,000 data rows (lines 2–1001): rows 100, 500 and 900 are invalid, rows 700 and 800 repeat earlier emails. */
function thousandRows(prefix: string): { csv: string; badLines: number[]; duplicateLines: number[] } {
  const lines = ['name,email,phone,role,expiry'];
  for (let row = 1; row <= 1000; row++) {
    let email = `${prefix}${row}@example.org`;
    let phone = `+4178${String(row).padStart(7, '0')}`;
    if (row === 100) email = 'not-an-email';
    if (row === 500) phone = 'call me';
    if (row === 700) email = `${prefix}1@example.org`;
    if (row === 800) email = `${prefix.toUpperCase()}2@EXAMPLE.org`;
    lines.push(`"Person ${row}, Jr.",${email},${phone},${row === 900 ? 'boss' : row % 50 === 0 ? 'admin' : 'participant'},${row % 3 === 0 ? '2099-01-31' : ''}`);
  }
  return { csv: `${lines.join('\n')}\n`, badLines: [101, 501, 901], duplicateLines: [701, 801] };
}

for (const backend of await backends()) {
  describe(`importing users from CSV on ${backend.name}`, () => {
    let server: UsersTestServer;
    beforeAll(async () => {
      server = await startUsersTestServer(backend);
    });
    afterAll(() => server?.stop());

    it('creates exactly 995 of 1,000 rows and reports the 3 bad rows and the 2 duplicate emails', async () => {
      const { csv, badLines, duplicateLines } = thousandRows('bulk');
      const result = report(await importUsers(server.url, csv));
      expect(result).toMatchObject({ dryRun: false, total: 1000, created: 995 });
      expect(result.problems.map((row) => [row.line, row.status])).toEqual(
        [...badLines.map((line) => [line, 'INVALID']), ...duplicateLines.map((line) => [line, 'DUPLICATE'])].sort((a, b) => (a[0] as number) - (b[0] as number)),
      );
      expect(result.problems.find((row) => row.line === 101)?.issues[0]?.path).toEqual(['rows', 101, 'email']);
      const { users } = await server.admin.request(UsersDocument, { search: '@example.org', first: 1 });
      expect(users.totalCount).toBe(995);
    });

    it('changes nothing on a dry run, and reports an address that is already a user as a duplicate', async () => {
      await createUser(server.admin, { name: 'Existing', email: 'existing@example.org', phone: '+41790000001', role: 'PARTICIPANT' });
      const before = (await server.admin.request(UsersDocument, { first: 1 })).users.totalCount;
      const result = report(await importUsers(server.url, 'name,email,phone\nA,Existing@Example.org,+41790000002\nB,fresh@example.org,+41790000003\n', { dryRun: true }));
      expect(result).toMatchObject({ dryRun: true, total: 2, created: 0 });
      expect(result.problems.map((row) => [row.line, row.status])).toEqual([[2, 'DUPLICATE']]);
      expect((await server.admin.request(UsersDocument, { first: 1 })).users.totalCount).toBe(before);
    });

    it('refuses a file without the required columns as a whole', async () => {
      const result = await importUsers(server.url, 'who,where\nA,B\n');
      expect(result).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
    });
  });
}
