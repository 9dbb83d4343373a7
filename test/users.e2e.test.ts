import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateUserDocument, DeleteUserDocument, UpdateUserDocument, UserDocument, UsersDocument } from '@stuf/sdk/node';
import { backends } from './helpers/backends.js';
import { clientFor, file, uploaded } from './helpers/client.js';
import { apiTokenFor, createUser, signIn, startUsersTestServer, type UsersTestServer } from './helpers/users.js';

for (const backend of await backends()) {
  describe(`managing users on ${backend.name}`, () => {
    let server: UsersTestServer;
    let n = 0;
    const someone = (overrides: Record<string, unknown> = {}) => {
      n++;
      return { name: `User ${n}`, email: `u${n}@example.org`, phone: `+4176000${String(n).padStart(4, '0')}`, role: 'PARTICIPANT' as const, ...overrides };
    };
    const journal = async () => {
      const entries = [];
      for await (const object of server.driver.list('journal/')) {
        const result = await server.driver.get(object.key);
        if (!result.notModified) entries.push(JSON.parse(await text(result.body)));
      }
      return entries as { action: string; actor: { id: string }; resource: { type: string; id: string }; before?: unknown; after?: unknown }[];
    };
    beforeAll(async () => {
      server = await startUsersTestServer(backend);
    });
    afterAll(() => server?.stop());

    it('makes the bootstrap admin token act as the first admin user', async () => {
      const me = await server.admin.me();
      expect(me).toMatchObject({ role: 'admin', actor: { id: 'bootstrap-admin' } });
      const { user } = await server.admin.request(UserDocument, { id: 'bootstrap-admin' });
      expect(user).toMatchObject({ role: 'ADMIN', status: 'ACTIVE' });
    });

    it('creates a user with normalized contact data and refuses a second user with the same email', async () => {
      const created = await createUser(server.admin, someone({ email: '  Mixed.Case@Example.ORG ', phone: '+41 76 123 45 67' }));
      expect(created).toMatchObject({ email: 'mixed.case@example.org', phone: '+41761234567', role: 'PARTICIPANT', status: 'INVITED', revision: 1 });
      const { createUser: again } = await server.admin.request(CreateUserDocument, { input: someone({ email: 'MIXED.case@example.org' }) });
      expect(again).toMatchObject({ __typename: 'EmailTakenError', code: 'EMAIL_TAKEN' });
    });

    it('reports invalid input with the path of each problem', async () => {
      const { createUser: result } = await server.admin.request(CreateUserDocument, { input: someone({ email: 'nope', phone: 'x' }) });
      expect(result.__typename).toBe('ValidationError');
      if (result.__typename === 'ValidationError') expect(result.issues.map((issue) => issue.path.join('.')).sort()).toEqual(['input.email', 'input.phone']);
    });

    it('updates with the current revision and answers a stale one with a conflict carrying the current revision', async () => {
      const user = await createUser(server.admin, someone());
      const { updateUser: first } = await server.admin.request(UpdateUserDocument, { input: { id: user.id, revision: 1, name: 'Renamed' } });
      expect(first).toMatchObject({ __typename: 'UpdateUserPayload', user: { name: 'Renamed', revision: 2 } });
      const { updateUser: stale } = await server.admin.request(UpdateUserDocument, { input: { id: user.id, revision: 1, name: 'Lost update' } });
      expect(stale).toMatchObject({ __typename: 'RevisionConflictError', code: 'REVISION_CONFLICT', currentRevision: 2 });
      expect((await server.admin.request(UserDocument, { id: user.id })).user?.name).toBe('Renamed');
    });

    it('journals every change with before and after, contact data encrypted', async () => {
      const user = await createUser(server.admin, someone());
      await server.admin.request(UpdateUserDocument, { input: { id: user.id, revision: 1, status: 'SUSPENDED' } });
      await server.admin.request(DeleteUserDocument, { input: { id: user.id, revision: 2 } });
      const entries = (await journal()).filter((entry) => entry.resource.type === 'user' && entry.resource.id === user.id);
      expect(entries.map((entry) => entry.action)).toEqual(['user.create', 'user.update', 'user.delete']);
      expect(entries[1]).toMatchObject({ actor: { id: 'bootstrap-admin' }, before: { status: 'invited' }, after: { status: 'suspended' } });
      expect(JSON.stringify(entries)).not.toContain(user.email);
      expect((entries[0]!.after as { email: { kid: string } }).email.kid).toBeTruthy();
      expect((await server.admin.request(UserDocument, { id: user.id })).user).toBeNull();
    });

    it('refuses to let admins delete or suspend themselves', async () => {
      const { deleteUser } = await server.admin.request(DeleteUserDocument, { input: { id: 'bootstrap-admin' } });
      expect(deleteUser).toMatchObject({ __typename: 'SelfLockoutError', code: 'SELF_LOCKOUT' });
    });

    it('searches by name, email and phone, and filters by role and status', async () => {
      const findMe = await createUser(server.admin, someone({ name: 'Findable Person', role: 'ADMIN' }));
      const ids = async (variables: Record<string, unknown>) => (await server.admin.request(UsersDocument, variables)).users.nodes.map((user) => user.id);
      expect(await ids({ search: 'findable' })).toEqual([findMe.id]);
      expect(await ids({ search: findMe.email!.toUpperCase() })).toEqual([findMe.id]);
      expect(await ids({ search: findMe.phone!.slice(-6) })).toEqual([findMe.id]);
      expect(await ids({ filter: { role: 'ADMIN' } })).toEqual([findMe.id, 'bootstrap-admin']);
      const page = await server.admin.request(UsersDocument, { first: 2 });
      expect(page.users.nodes).toHaveLength(2);
      const next = await server.admin.request(UsersDocument, { first: 2, after: page.users.pageInfo.endCursor });
      expect(next.users.nodes[0]?.id).not.toBe(page.users.nodes[1]?.id);
    });

    it('records uploads and download links in the uploader\'s access history', async () => {
      const user = await createUser(server.admin, someone());
      const participant = clientFor(server, { token: (await apiTokenFor(server.admin, user.id)).token });
      const upload = uploaded(await participant.createUpload({ files: [file('a.txt', 'a')] }));
      await participant.upload(upload.id);
      const { user: read } = await server.admin.request(UserDocument, { id: user.id });
      const events = read!.accessHistory.map((event) => [event.event, event.uploadId]);
      expect(events).toContainEqual(['UPLOAD', upload.id]);
      expect(events).toContainEqual(['DOWNLOAD', upload.id]);
    });

    it('loses nothing when users.json is deleted by hand: the next request rebuilds it', async () => {
      const user = await createUser(server.admin, someone());
      const token = await signIn(server, user.email!, user.phone!);
      const before = (await server.admin.request(UsersDocument, { first: 100 })).users;
      await server.driver.delete('users.json');
      // The next request authenticates against users.json, so it rebuilds it first.
      expect((await clientFor(server, { token }).me()).actor.id).toBe(user.id);
      await server.driver.head('users.json');
      const after = (await server.admin.request(UsersDocument, { first: 100 })).users;
      expect(after).toEqual(before);
    });
  });
}
