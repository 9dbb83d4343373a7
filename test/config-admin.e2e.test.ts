import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StufError, type StufClient } from '@stuf/sdk/node';
import { backends } from './helpers/backends.js';
import { clientFor, file, uploaded } from './helpers/client.js';
import { everyKindMetadataConfig, LEGAL_VERSION, publishMetadataConfig, validMetadata } from './helpers/config-fixtures.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const ZULIP_KEY = 'zulip-api-key-that-must-never-leak';
const WEBHOOK_SECRET = 'webhook-secret-that-must-never-leak';

async function readJson(server: TestServer, key: string): Promise<any> {
  const result = await server.driver.get(key);
  return JSON.parse(result.notModified ? 'null' : await text(result.body));
}

for (const backend of await backends()) {
  describe(`config administration on ${backend.name}`, () => {
    let server: TestServer;
    let stuf: StufClient;
    beforeAll(async () => {
      // No revalidation during the test: whatever this server enforces after a change, it took from its own write.
      server = await startTestServer(backend, { STUF_CONFIG_REFRESH_MS: '600000' });
      stuf = clientFor(server);
    });
    afterAll(() => server?.stop());

    it('keeps every published version: configHistory returns the first-start default and the change', async () => {
      const before = await stuf.stufConfig();
      const result = await stuf.updateStufConfig({ revision: before.revision as number, config: { ...before, projectName: 'Pilot 2026' } });
      expect(result).toMatchObject({ __typename: 'UpdateStufConfigPayload', revision: 2 });
      const history = await stuf.configHistory('STUF_CONFIG');
      expect(history.map((version) => [version.revision, (version.config as { projectName: string }).projectName])).toEqual([
        [2, 'Pilot 2026'],
        [1, 'STUF'],
      ]);
      expect(history[0]!.publishedBy).toEqual({ id: 'bootstrap-admin', kind: 'admin-token' });
      expect(history[1]!.publishedBy.kind).toBe('system');
      expect((await server.keys()).filter((key) => key.startsWith('config/history/stuf_config/'))).toEqual([
        'config/history/stuf_config/000000000001.json',
        'config/history/stuf_config/000000000002.json',
      ]);
    });

    it('answers a stale revision with a typed conflict carrying the current revision, and changes nothing', async () => {
      const current = await stuf.stufConfig();
      const stale = (current.revision as number) - 1;
      const result = await stuf.updateStufConfig({ revision: stale, config: { ...current, projectName: 'Lost update' } });
      expect(result).toMatchObject({ __typename: 'RevisionConflictError', code: 'REVISION_CONFLICT', currentRevision: current.revision });
      expect((await stuf.stufConfig()).projectName).toBe(current.projectName);
    });

    it('writes a journal entry with the document before and after each change', async () => {
      const before = await server.keys();
      const current = await stuf.metadataConfig();
      const revision = await publishMetadataConfig(stuf, { ...current, legalDeclaration: { text: 'Be nice.', version: 'v2', acknowledgementRequired: false } });
      const added = (await server.keys()).filter((key) => key.startsWith('journal/') && !before.includes(key));
      expect(added).toHaveLength(1);
      const entry = await readJson(server, added[0]!);
      expect(entry).toMatchObject({ action: 'config.update', resource: { type: 'config', id: 'metadata_config' }, actor: { id: 'bootstrap-admin' } });
      expect(entry.before.revision).toBe(revision - 1);
      expect(entry.after.revision).toBe(revision);
      expect(entry.after.legalDeclaration.version).toBe('v2');
    });

    it('enforces its own change at once, before any revalidation', async () => {
      const current = await stuf.metadataConfig();
      const fields = (current.fields as { key: string; required: boolean }[]).map((field) => (field.key === 'collection' ? { ...field, required: true } : field));
      await publishMetadataConfig(stuf, { ...current, fields });
      const result = await stuf.createUpload({ files: [file('a.txt', 'a')], metadata: {} });
      expect(result.__typename === 'ValidationError' && result.issues.map((issue) => issue.path)).toEqual([['metadata', 'collection']]);
    });

    it('refuses a metadata config with duplicates and dangling conditions, every problem with its path', async () => {
      const config = everyKindMetadataConfig();
      config.fields[0]!.options!.push({ value: 'image', label: 'Image again' });
      config.fields.push({ key: 'formats', label: 'Again', kind: 'FREE_TEXT', enabled: true, required: false });
      config.fields[3]!.requiredWhen = [{ field: 'ipOwnership', values: ['nobody'] }];
      config.fields[8]!.requiredWhen = [{ field: 'missing', values: [true] }];
      const current = await stuf.metadataConfig();
      const result = await stuf.updateMetadataConfig({ revision: current.revision as number, config });
      expect(result.__typename === 'ValidationError' && result.issues.map((issue) => issue.path)).toEqual([
        ['config', 'fields', 9, 'key'],
        ['config', 'fields', 0, 'options', 3, 'value'],
        ['config', 'fields', 3, 'requiredWhen', 0, 'values', 0],
        ['config', 'fields', 8, 'requiredWhen', 0, 'field'],
      ]);
      expect((await stuf.metadataConfig()).revision).toBe(current.revision);
    });

    it('refuses a metadata config with a misspelled setting instead of ignoring it', async () => {
      const config = everyKindMetadataConfig() as any;
      config.fields[1].requird = true;
      const current = await stuf.metadataConfig();
      const result = await stuf.updateMetadataConfig({ revision: current.revision as number, config });
      expect(result.__typename === 'ValidationError' && result.issues.map((issue) => issue.path)).toEqual([['config', 'fields', 1]]);
    });

    it('refuses a metadata config without one of the STUF categories', async () => {
      const config = everyKindMetadataConfig();
      config.fields = config.fields.filter((field) => field.key !== 'comments');
      const current = await stuf.metadataConfig();
      const result = await stuf.updateMetadataConfig({ revision: current.revision as number, config });
      expect(result).toMatchObject({ __typename: 'ValidationError', issues: [{ path: ['config', 'fields'], message: expect.stringContaining('comments') }] });
    });

    it('refuses facility settings with an invalid limit and an invalid URL, with their paths', async () => {
      const current = await stuf.stufConfig();
      const config = structuredClone(current) as any;
      config.uploads.maxFileSizeBytes = -1;
      config.notifications.webhook = { url: 'ftp://example.org/hook', secret: WEBHOOK_SECRET };
      const result = await stuf.updateStufConfig({ revision: current.revision as number, config });
      expect(result.__typename === 'ValidationError' && result.issues.map((issue) => issue.path)).toEqual([
        ['config', 'uploads', 'maxFileSizeBytes'],
        ['config', 'notifications', 'webhook', 'url'],
      ]);
    });

    it('refuses an enabled Zulip notification without an API key', async () => {
      const current = await stuf.stufConfig();
      const zulip = { siteUrl: 'https://chat.example.org', botEmail: 'stuf-bot@example.org', stream: 'uploads', topic: 'new' };
      const result = await stuf.updateStufConfig({ revision: current.revision as number, config: { ...current, notifications: { zulip, webhook: null } } });
      expect(result.__typename === 'ValidationError' && result.issues.map((issue) => issue.path)).toEqual([['config', 'notifications', 'zulip', 'apiKey']]);
    });

    it('stores notification secrets encrypted and never returns them, only whether they are set', async () => {
      const current = await stuf.stufConfig();
      // Disabled: this test server must not try to reach example.org.
      const notifications = {
        zulip: { enabled: false, siteUrl: 'https://chat.example.org', botEmail: 'stuf-bot@example.org', apiKey: ZULIP_KEY, stream: 'uploads', topic: 'new' },
        webhook: { enabled: false, url: 'https://hooks.example.org/stuf', secret: WEBHOOK_SECRET },
      };
      const result = await stuf.updateStufConfig({ revision: current.revision as number, config: { ...current, notifications } });
      if (result.__typename !== 'UpdateStufConfigPayload') throw new Error(JSON.stringify(result));
      const shown = await stuf.stufConfig();
      expect(shown.notifications).toMatchObject({ zulip: { apiKeySet: true, stream: 'uploads' }, webhook: { secretSet: true } });
      const everything = JSON.stringify([result.config, shown, await stuf.configHistory('STUF_CONFIG')]);
      expect(everything).not.toContain(ZULIP_KEY);
      expect(everything).not.toContain(WEBHOOK_SECRET);
      expect(everything).not.toContain('"ct"');
      const stored = JSON.stringify(await readJson(server, 'config/stuf_config.json'));
      expect(stored).not.toContain(ZULIP_KEY);
      expect(stored).not.toContain(WEBHOOK_SECRET);
      expect(JSON.parse(stored).notifications.zulip.apiKey).toMatchObject({ kid: expect.any(String), iv: expect.any(String), ct: expect.any(String) });
    });

    it('keeps stored secrets when the settings are sent back as read', async () => {
      const current = await stuf.stufConfig();
      const storedBefore = (await readJson(server, 'config/stuf_config.json')).notifications;
      const result = await stuf.updateStufConfig({ revision: current.revision as number, config: { ...current, description: 'unchanged secrets' } });
      expect(result).toMatchObject({ __typename: 'UpdateStufConfigPayload', config: { notifications: { zulip: { apiKeySet: true }, webhook: { secretSet: true } } } });
      const storedAfter = (await readJson(server, 'config/stuf_config.json')).notifications;
      expect(storedAfter.zulip.apiKey).toEqual(storedBefore.zulip.apiKey);
      expect(storedAfter.webhook.secret).toEqual(storedBefore.webhook.secret);
    });

    it('asks for the Zulip API key again when the Zulip site changes', async () => {
      const current = (await stuf.stufConfig()) as any;
      const config = { ...current, notifications: { ...current.notifications, zulip: { ...current.notifications.zulip, enabled: true, siteUrl: 'https://elsewhere.example.net' } } };
      const result = await stuf.updateStufConfig({ revision: current.revision, config });
      expect(result.__typename === 'ValidationError' && result.issues.map((issue) => issue.path)).toEqual([['config', 'notifications', 'zulip', 'apiKey']]);
    });

    it('lets only admins read or change the config', async () => {
      const participant = await createParticipantClient(stuf, server);
      await expect(participant.stufConfig()).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(participant.metadataConfig()).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(participant.configHistory('METADATA_CONFIG')).rejects.toBeInstanceOf(StufError);
      await expect(participant.updateStufConfig({ revision: 1, config: {} })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      // …but every signed-in caller may read the upload requirements.
      await expect(participant.uploadRequirements()).resolves.toMatchObject({ projectName: expect.any(String) });
    });

    it('keeps the acknowledged legal declaration version of an upload when the declaration changes later', async () => {
      await publishMetadataConfig(stuf, everyKindMetadataConfig());
      const result = await stuf.createUpload({ files: [file('a.txt', 'a')], metadata: validMetadata(), legalDeclarationVersion: LEGAL_VERSION });
      const { id } = uploaded(result);
      const config = everyKindMetadataConfig();
      await publishMetadataConfig(stuf, { ...config, legalDeclaration: { ...config.legalDeclaration, version: '2027-01' } });
      expect((await stuf.uploadRequirements()).legalDeclaration.version).toBe('2027-01');
      expect((await stuf.upload(id))?.legalDeclarationVersion).toBe(LEGAL_VERSION);
    });
  });
}

/** A participant with an API token, created through the API, and a client for them. */
async function createParticipantClient(admin: StufClient, server: TestServer): Promise<StufClient> {
  const created = await admin.request<{ createUser: { __typename: string; user?: { id: string } } }>(
    'mutation ($input: CreateUserInput!) { createUser(input: $input) { __typename ... on CreateUserPayload { user { id } } } }',
    { input: { name: 'Pat Participant', email: 'pat@example.org', phone: '+41791234567', role: 'PARTICIPANT' } },
  );
  const userId = created.createUser.user!.id;
  const token = await admin.request<{ createApiToken: { __typename: string; token?: string } }>(
    'mutation ($input: CreateApiTokenInput!) { createApiToken(input: $input) { __typename ... on CreateApiTokenPayload { token } } }',
    { input: { userId, label: 'tests' } },
  );
  return clientFor(server, { token: token.createApiToken.token! });
}
