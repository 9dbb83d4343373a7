import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigHistoryDocument,
  CreateApiTokenDocument,
  CreateUserDocument,
  DeleteUserDocument,
  HealthDocument,
  isStufError,
  MeDocument,
  MetadataConfigDocument,
  RequestSignInDocument,
  RevokeApiTokenDocument,
  RotateEncryptionKeyDocument,
  StufConfigDocument,
  UpdateMetadataConfigDocument,
  UpdateStufConfigDocument,
  UpdateUserDocument,
  UploadDocument,
  UploadRequirementsDocument,
  UploadsDocument,
  UserDocument,
  UsersDocument,
  VerifyEmailCodeDocument,
  VerifySmsCodeDocument,
  type StufClient,
} from '@stuf/sdk/node';
import { schema } from '../packages/server/src/schema.js';
import { backends } from './helpers/backends.js';
import { clientFor, file, uploaded } from './helpers/client.js';
import { ADMIN_TOKEN } from './helpers/server.js';
import { apiTokenFor, createUser, importUsers, startUsersTestServer, updateUser, type UsersTestServer } from './helpers/users.js';

type Caller = 'anonymous' | 'participant' | 'suspended' | 'admin';
const CALLERS: Caller[] = ['anonymous', 'participant', 'suspended', 'admin'];

/** `ok` when the operation ran (its typed result, success or expected failure, came back), else the refusal's code. */
async function outcome(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return 'ok';
  } catch (error) {
    if (isStufError(error) || (error as { code?: string }).code) return (error as { code: string }).code;
    throw error;
  }
}

const ADMIN_ONLY = { anonymous: 'UNAUTHENTICATED', participant: 'FORBIDDEN', suspended: 'ACCOUNT_INACTIVE', admin: 'ok' } as const;
const SIGNED_IN = { anonymous: 'UNAUTHENTICATED', participant: 'ok', suspended: 'ACCOUNT_INACTIVE', admin: 'ok' } as const;
// Sign-in needs no token; a suspended user's token is still refused before anything runs.
const PUBLIC_WITH_TOKEN_CHECK = { anonymous: 'ok', participant: 'ok', suspended: 'ACCOUNT_INACTIVE', admin: 'ok' } as const;

for (const backend of await backends()) {
  describe(`authorization matrix on ${backend.name}`, () => {
    let server: UsersTestServer;
    const clients = {} as Record<Caller, StufClient>;
    const tokens = {} as Record<Caller, string | null>;
    let participantUploadId: string;
    let victimId: string;
    let spareTokenId: string;

    beforeAll(async () => {
      server = await startUsersTestServer(backend);
      const participant = await createUser(server.admin, { name: 'Pat', email: 'pat@example.org', phone: '+41790000001', role: 'PARTICIPANT' });
      const suspended = await createUser(server.admin, { name: 'Sus', email: 'sus@example.org', phone: '+41790000002', role: 'PARTICIPANT' });
      const victim = await createUser(server.admin, { name: 'Vic', email: 'vic@example.org', phone: '+41790000003', role: 'PARTICIPANT' });
      victimId = victim.id;
      tokens.anonymous = null;
      tokens.admin = ADMIN_TOKEN;
      tokens.participant = (await apiTokenFor(server.admin, participant.id)).token;
      tokens.suspended = (await apiTokenFor(server.admin, suspended.id)).token;
      spareTokenId = (await apiTokenFor(server.admin, victim.id)).id;
      await updateUser(server.admin, suspended.id, { status: 'SUSPENDED' });
      for (const caller of CALLERS) clients[caller] = clientFor(server, { token: tokens[caller], retry: false });
      participantUploadId = uploaded(await clients.participant.createUpload({ files: [file('p.txt', 'p')] })).id;
    });
    afterAll(() => server?.stop());

    // Every root field of the schema, with what each caller gets. Inputs are valid where that is cheap, but an
    // expected typed failure (e.g. NOT_FOUND) also counts as "ok": the caller was allowed to ask.
    const operations: Record<string, { expected: Record<Caller, string>; run: (client: StufClient, caller: Caller) => Promise<unknown> }> = {
      'Query.health': { expected: PUBLIC_WITH_TOKEN_CHECK, run: (c) => c.request(HealthDocument) },
      'Query.me': { expected: SIGNED_IN, run: (c) => c.request(MeDocument) },
      'Query.upload': { expected: SIGNED_IN, run: (c) => c.request(UploadDocument, { id: participantUploadId }) },
      'Query.uploads': { expected: SIGNED_IN, run: (c) => c.request(UploadsDocument, {}) },
      'Query.stufConfig': { expected: ADMIN_ONLY, run: (c) => c.request(StufConfigDocument) },
      'Query.metadataConfig': { expected: ADMIN_ONLY, run: (c) => c.request(MetadataConfigDocument) },
      'Query.configHistory': { expected: ADMIN_ONLY, run: (c) => c.request(ConfigHistoryDocument, { document: 'STUF_CONFIG' }) },
      'Query.uploadRequirements': { expected: SIGNED_IN, run: (c) => c.request(UploadRequirementsDocument) },
      'Query.users': { expected: ADMIN_ONLY, run: (c) => c.request(UsersDocument, {}) },
      'Query.user': { expected: ADMIN_ONLY, run: (c) => c.request(UserDocument, { id: victimId }) },
      'Mutation.createUpload': { expected: SIGNED_IN, run: (c) => c.createUpload({ files: [file('m.txt', 'm')] }) },
      'Mutation.createUser': {
        expected: ADMIN_ONLY,
        run: (c, caller) => c.request(CreateUserDocument, { input: { name: 'New', email: `new-${caller}@example.org`, phone: '+41790000099', role: 'PARTICIPANT' } }),
      },
      'Mutation.updateUser': { expected: ADMIN_ONLY, run: (c) => c.request(UpdateUserDocument, { input: { id: victimId, revision: 1, name: 'Changed' } }) },
      'Mutation.deleteUser': { expected: ADMIN_ONLY, run: (c) => c.request(DeleteUserDocument, { input: { id: 'no-such-user' } }) },
      'Mutation.importUsers': { expected: ADMIN_ONLY, run: (_c, caller) => importUsers(server.url, 'name,email,phone\n', { token: tokens[caller] }) },
      'Mutation.createApiToken': { expected: ADMIN_ONLY, run: (c) => c.request(CreateApiTokenDocument, { input: { userId: victimId, label: 'x' } }) },
      'Mutation.revokeApiToken': { expected: ADMIN_ONLY, run: (c) => c.request(RevokeApiTokenDocument, { id: spareTokenId }) },
      // A stale revision: the typed conflict comes back for admins, nothing changes.
      'Mutation.updateStufConfig': { expected: ADMIN_ONLY, run: (c) => c.request(UpdateStufConfigDocument, { input: { revision: 0, config: {} } }) },
      'Mutation.updateMetadataConfig': { expected: ADMIN_ONLY, run: (c) => c.request(UpdateMetadataConfigDocument, { input: { revision: 0, config: {} } }) },
      'Mutation.rotateEncryptionKey': { expected: ADMIN_ONLY, run: (c) => c.request(RotateEncryptionKeyDocument, { input: { first: 1 } }) },
      'Mutation.requestSignIn': { expected: PUBLIC_WITH_TOKEN_CHECK, run: (c) => c.request(RequestSignInDocument, { input: { email: 'someone@example.org' } }) },
      'Mutation.verifyEmailCode': { expected: PUBLIC_WITH_TOKEN_CHECK, run: (c) => c.request(VerifyEmailCodeDocument, { input: { email: 'someone@example.org', code: '000000' } }) },
      'Mutation.verifySmsCode': { expected: PUBLIC_WITH_TOKEN_CHECK, run: (c) => c.request(VerifySmsCodeDocument, { input: { ticket: 'not-a-ticket', code: '000000' } }) },
    };

    it('covers every query and mutation of the schema', () => {
      const rootFields = [
        ...Object.keys(schema.getQueryType()!.getFields()).map((name) => `Query.${name}`),
        ...Object.keys(schema.getMutationType()!.getFields()).map((name) => `Mutation.${name}`),
      ];
      expect(Object.keys(operations).sort()).toEqual(rootFields.sort());
    });

    it('gives every caller exactly the access of the matrix', async () => {
      const actual: Record<string, Record<Caller, string>> = {};
      const expected: Record<string, Record<Caller, string>> = {};
      for (const [name, operation] of Object.entries(operations)) {
        expected[name] = operation.expected;
        actual[name] = {} as Record<Caller, string>;
        for (const caller of CALLERS) actual[name][caller] = await outcome(() => operation.run(clients[caller], caller));
      }
      expect(actual).toEqual(expected);
    });

    it('shows contact fields to admins only, even on the caller\'s own record', async () => {
      expect(await outcome(() => clients.participant.request('query { me { user { id name status } } }'))).toBe('ok');
      expect(await outcome(() => clients.participant.request('query { me { user { id email } } }'))).toBe('FORBIDDEN');
      expect(await outcome(() => clients.participant.request('query { me { user { id phone } } }'))).toBe('FORBIDDEN');
      const { user } = await clients.admin.request(UserDocument, { id: victimId });
      expect(user).toMatchObject({ email: 'vic@example.org', phone: '+41790000003' });
    });

    it("lets participants read others' uploads only when stuf_config makes uploads visible to all participants", async () => {
      const other = await createUser(server.admin, { name: 'Oth', email: 'oth@example.org', phone: '+41790000004', role: 'PARTICIPANT' });
      const otherClient = clientFor(server, { token: (await apiTokenFor(server.admin, other.id)).token });
      expect(await otherClient.upload(participantUploadId)).toBeNull();
      // Through the API: a change published by this server is in force on it at once (a file written straight into
      // the bucket would only be picked up at the next revalidation, STUF_CONFIG_REFRESH_MS).
      const publish = async (visibleToAllParticipants: boolean) => {
        const config = await server.admin.stufConfig();
        const result = await server.admin.updateStufConfig({ revision: config.revision as number, config: { ...config, uploads: { ...(config.uploads as object), visibleToAllParticipants } } });
        expect(result.__typename).toBe('UpdateStufConfigPayload');
      };
      await publish(true);
      try {
        expect((await otherClient.upload(participantUploadId))?.id).toBe(participantUploadId);
        expect((await otherClient.uploads()).edges.map((edge) => edge.node.id)).toContain(participantUploadId);
      } finally {
        await publish(false);
      }
    });
  });
}
