import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFsDriver } from '../../storage/fs-driver.js';
import { JsonStore } from '../../storage/json-store.js';
import { STUF_CONFIG_KEY } from '../../storage/keys.js';
import { stufConfigSchema } from './documents.js';
import { ConfigService } from './service.js';

describe('default configuration on first start', () => {
  let root: string;
  let store: JsonStore;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'stuf-config-'));
    store = new JsonStore(await createFsDriver(root));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('creates both config files with valid defaults', async () => {
    const config = new ConfigService(store);
    expect((await config.ensureDefaults()).created).toEqual(['config/stuf_config.json', 'config/metadata_config.json']);
    expect((await config.stufConfig()).schemaVersion).toBe(1);
    expect((await config.metadataConfig()).fields.map((field) => field.key)).toEqual(['fileType', 'collection', 'ipOwnership', 'license', 'comments']);
  });

  it('never overwrites an existing config file', async () => {
    const config = new ConfigService(store);
    await config.ensureDefaults();
    await store.update(STUF_CONFIG_KEY, stufConfigSchema, (current) => ({ ...current, projectName: 'Edited', revision: current.revision + 1 }));
    expect((await config.ensureDefaults()).created).toEqual([]);
    expect((await config.stufConfig()).projectName).toBe('Edited');
  });

  it('is created by exactly one of several replicas starting together', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => new ConfigService(store).ensureDefaults()));
    expect(results.flatMap((result) => result.created).sort()).toEqual(['config/metadata_config.json', 'config/stuf_config.json']);
  });
});
