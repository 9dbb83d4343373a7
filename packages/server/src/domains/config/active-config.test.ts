import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../logger.js';
import { createFsDriver } from '../../storage/fs-driver.js';
import { JsonStore } from '../../storage/json-store.js';
import { METADATA_CONFIG_KEY, STUF_CONFIG_KEY } from '../../storage/keys.js';
import { JournalService } from '../journal/service.js';
import { InvalidConfigFileError } from './active-config.js';
import { ConfigService } from './service.js';

/** The files as the first release wrote them on first start (before options had descriptions, Other/Don't know, …). */
const FIRST_RELEASE_STUF_CONFIG = {
  schemaVersion: 1,
  revision: 1,
  projectName: 'STUF',
  description: 'Secure Trusted Upload Facility',
  uploads: { maxFileSizeBytes: null, maxFilesPerUpload: null, allowedExtensions: [], allowedMimeTypes: [], visibleToAllParticipants: false },
  notifications: { zulip: null, webhook: null },
};
const FIRST_RELEASE_METADATA_CONFIG = {
  schemaVersion: 1,
  revision: 1,
  fields: [
    { key: 'fileType', label: 'File type', helpText: 'What kind of material this is.', kind: 'SINGLE_CHOICE', enabled: true, required: false, options: [{ value: 'document', label: 'Document' }] },
    { key: 'collection', label: 'Collection', helpText: 'The collection this upload belongs to.', kind: 'FREE_TEXT', enabled: true, required: false, options: [] },
    { key: 'ipOwnership', label: 'IP ownership', helpText: 'Who owns the intellectual property.', kind: 'SINGLE_CHOICE', enabled: true, required: false, options: [{ value: 'own', label: 'My organisation' }] },
    { key: 'license', label: 'Licence', helpText: 'Under which licence the material is shared.', kind: 'SINGLE_CHOICE', enabled: true, required: false, options: [{ value: 'confidential', label: 'Confidential, project use only' }] },
    { key: 'comments', label: 'Comments', helpText: 'Anything the Trust Architect should know.', kind: 'FREE_TEXT', enabled: true, required: false, options: [] },
  ],
  legalDeclaration: { text: '', version: '0', acknowledgementRequired: false },
};
const ADMIN = { id: 'admin', kind: 'admin-token' } as const;

describe('the config in force', () => {
  let root: string;
  let store: JsonStore;
  const services: ConfigService[] = [];
  const serviceOn = (options: { refreshMs?: number } = {}) => {
    const service = new ConfigService(store, { journal: new JournalService(store.driver, store), logger: createLogger('silent'), refreshMs: options.refreshMs ?? 60_000 });
    services.push(service);
    return service;
  };
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'stuf-active-config-'));
    store = new JsonStore(await createFsDriver(root));
  });
  afterEach(async () => {
    for (const service of services.splice(0)) service.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('loads files written by the first release unchanged, filling in what was added since', async () => {
    await store.create(STUF_CONFIG_KEY, FIRST_RELEASE_STUF_CONFIG);
    await store.create(METADATA_CONFIG_KEY, FIRST_RELEASE_METADATA_CONFIG);
    const before = await store.driver.head(METADATA_CONFIG_KEY);
    const snapshot = await serviceOn().start();
    expect(snapshot.metadata.fields[0]).toMatchObject({ other: null, dontKnow: null, text: null, requiredWhen: [], options: [{ value: 'document', description: '', default: false, displayOrder: null }] });
    expect(snapshot.stuf.notifications).toEqual({ zulip: null, webhook: null });
    // Nothing was migrated in place.
    expect((await store.driver.head(METADATA_CONFIG_KEY)).etag).toBe(before.etag);
  });

  it('records the versions in force in the history on start, once', async () => {
    await serviceOn().ensureDefaults();
    await Promise.all([serviceOn().start(), serviceOn().start()]);
    expect((await serviceOn().history('metadata_config', 10)).map((version) => version.revision)).toEqual([1]);
  });

  it('refuses to start on a broken config file, naming it', async () => {
    await serviceOn().ensureDefaults();
    await store.driver.put(METADATA_CONFIG_KEY, '{ "schemaVersion": 1,');
    await expect(serviceOn().start()).rejects.toThrow(InvalidConfigFileError);
    await expect(serviceOn().start()).rejects.toThrow(/config\/metadata_config\.json is invalid: not valid JSON/);
  });

  it('refuses to start on a file that breaks a cross-field rule', async () => {
    await store.create(STUF_CONFIG_KEY, FIRST_RELEASE_STUF_CONFIG);
    await store.create(METADATA_CONFIG_KEY, { ...FIRST_RELEASE_METADATA_CONFIG, fields: [...FIRST_RELEASE_METADATA_CONFIG.fields, FIRST_RELEASE_METADATA_CONFIG.fields[0]] });
    await expect(serviceOn().start()).rejects.toThrow(/Duplicate field key "fileType"/);
  });

  it('takes a change written by another replica on the next refresh', async () => {
    const writer = serviceOn();
    const reader = serviceOn();
    await writer.ensureDefaults();
    await Promise.all([writer.start(), reader.start()]);
    const current = await writer.stufConfig();
    await writer.updateStufConfig(ADMIN, 1, { ...current, projectName: 'Changed elsewhere' });
    expect((await reader.stufConfig()).projectName).toBe('STUF');
    await reader.refresh();
    expect((await reader.stufConfig()).projectName).toBe('Changed elsewhere');
  });

  it('keeps the last good version when a file turns invalid, and takes the next good one', async () => {
    const service = serviceOn();
    await service.ensureDefaults();
    await service.start();
    await store.driver.put(STUF_CONFIG_KEY, JSON.stringify({ ...FIRST_RELEASE_STUF_CONFIG, revision: 2, uploads: { maxFileSizeBytes: 'big' } }));
    await service.refresh();
    expect((await service.stufConfig()).revision).toBe(1);
    await store.driver.put(STUF_CONFIG_KEY, JSON.stringify({ ...FIRST_RELEASE_STUF_CONFIG, revision: 3, projectName: 'Repaired' }));
    await service.refresh();
    expect(await service.stufConfig()).toMatchObject({ revision: 3, projectName: 'Repaired' });
  });

  it('revalidates with conditional reads: an unchanged file is not read again', async () => {
    const service = serviceOn();
    await service.ensureDefaults();
    await service.start();
    const gets: (string | undefined)[] = [];
    const get = store.driver.get.bind(store.driver);
    store.driver.get = async (key, options) => {
      const result = await get(key, options);
      gets.push(result.notModified ? 'not-modified' : key);
      return result;
    };
    await service.refresh();
    expect(gets).toEqual(['not-modified', 'not-modified']);
  });

  it('revalidates on its own every refresh interval', async () => {
    const writer = serviceOn();
    const reader = serviceOn({ refreshMs: 20 });
    await writer.ensureDefaults();
    await Promise.all([writer.start(), reader.start()]);
    await writer.updateStufConfig(ADMIN, 1, { ...(await writer.stufConfig()), projectName: 'Timer' });
    const deadline = Date.now() + 10_000;
    while ((await reader.stufConfig()).projectName !== 'Timer' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await reader.stufConfig()).projectName).toBe('Timer');
  });
});
