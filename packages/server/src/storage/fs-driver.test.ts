import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failingStream, getBytes, listKeys } from './conformance/helpers.js';
import { describeDriverConformance } from './driver-conformance.js';
import { InvalidKeyError, NotFoundError, StorageError, StorageUnavailableError } from './errors.js';
import { createFsDriver, FS_INTERNAL_DIR, type FsDriver } from './fs-driver.js';

const FS_DRIVER_MODULE = fileURLToPath(new URL('./fs-driver.ts', import.meta.url));

describeDriverConformance('fs', async () => {
  const root = await mkdtemp(join(tmpdir(), 'stuf-fs-conformance-'));
  return {
    driver: await createFsDriver(root),
    cleanup: () => rm(root, { recursive: true, force: true }),
    child: { module: FS_DRIVER_MODULE, exportName: 'createFsDriver', args: root },
  };
});

describe('fs driver specifics', () => {
  let outer: string;
  let root: string;
  let driver: FsDriver;

  beforeEach(async () => {
    outer = await mkdtemp(join(tmpdir(), 'stuf-fs-'));
    root = join(outer, 'bucket');
    driver = await createFsDriver(root);
  });
  afterEach(async () => {
    await rm(outer, { recursive: true, force: true });
  });

  /** Every file path under `dir`, relative to it. */
  async function filesUnder(dir: string): Promise<string[]> {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1));
  }

  it('stores key K as the file <root>/K', async () => {
    await driver.put('uploads/u1/data/report.pdf', 'pdf bytes');
    expect(await readFile(join(root, 'uploads/u1/data/report.pdf'), 'utf8')).toBe('pdf bytes');
  });

  it('never creates anything outside the root, whatever the key', async () => {
    const escapes = ['../../users.json', '../users.json', '../bucket-sibling/x', 'a/../../x', '..', '/etc/passwd'];
    for (const key of escapes) {
      await expect(driver.put(key, 'escape'), key).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(driver.put(key, 'escape', { ifNoneMatch: '*' }), key).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(driver.delete(key), key).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(driver.get(key), key).rejects.toBeInstanceOf(InvalidKeyError);
    }
    expect(await readdir(outer)).toEqual(['bucket']);
    expect(await readdir(dirname(outer))).not.toContain('users.json');
  });

  it('refuses keys inside its own internal folder', async () => {
    await expect(driver.put(`${FS_INTERNAL_DIR}/tmp/x`, 'x')).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(driver.get(`${FS_INTERNAL_DIR}/locks/x`)).rejects.toBeInstanceOf(InvalidKeyError);
  });

  it('never lists its temp and lock files', async () => {
    await driver.put('a.txt', 'a');
    await writeFile(join(root, FS_INTERNAL_DIR, 'tmp', 'leftover.tmp'), 'junk');
    expect(await listKeys(driver, '')).toEqual(['a.txt']);
    expect(await listKeys(driver, `${FS_INTERNAL_DIR}/`)).toEqual([]);
  });

  it('leaves no temp file behind after successful puts', async () => {
    await driver.put('a.txt', 'a');
    await driver.put('a.txt', 'b', { ifMatch: (await driver.head('a.txt')).etag });
    await driver.put('b.txt', 'c', { ifNoneMatch: '*' });
    await expect(driver.put('b.txt', 'd', { ifNoneMatch: '*' })).rejects.toThrow();
    expect(await readdir(join(root, FS_INTERNAL_DIR, 'tmp'))).toEqual([]);
  });

  it('leaves no temp file behind when the body stream fails', async () => {
    await expect(driver.put('broken.bin', failingStream(512 * 1024, new Error('boom')))).rejects.toThrow('boom');
    expect(await readdir(join(root, FS_INTERNAL_DIR, 'tmp'))).toEqual([]);
    expect(await filesUnder(root)).toEqual([]);
  });

  it('removes folders that a delete leaves empty, but never the root', async () => {
    await driver.put('uploads/u1/data/file.bin', 'x');
    await driver.put('uploads/u2/metadata.json', '{}');
    await driver.delete('uploads/u1/data/file.bin');
    expect(await readdir(join(root, 'uploads'))).toEqual(['u2']);
    await driver.delete('uploads/u2/metadata.json');
    expect((await readdir(root)).sort()).toEqual([FS_INTERNAL_DIR]);
  });

  it('reports a key that clashes with a folder on disk as a CONFLICT', async () => {
    await driver.put('a/b.txt', 'x');
    await expect(driver.put('a', 'file where a folder is')).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(driver.put('a/b.txt/c', 'under a file')).rejects.toBeInstanceOf(StorageError);
    await expect(driver.get('a')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('does not follow a symlink planted at a key path', async () => {
    await writeFile(join(outer, 'secret.txt'), 'secret');
    await symlink(join(outer, 'secret.txt'), join(root, 'link.txt'));
    await expect(driver.get('link.txt')).rejects.toBeInstanceOf(NotFoundError);
    await expect(driver.head('link.txt')).rejects.toBeInstanceOf(NotFoundError);
    expect(await listKeys(driver, '')).toEqual([]);
  });

  describe('lock files', () => {
    async function writeLock(key: string, owner: object, ageMs = 0): Promise<string> {
      const path = driver.lockPathOf(key);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, JSON.stringify({ token: 'someone-else', ...owner }));
      const seconds = (Date.now() - ageMs) / 1000;
      await utimes(path, seconds, seconds);
      return path;
    }

    async function deadPid(): Promise<number> {
      const child = spawn(process.execPath, ['-e', '']);
      await once(child, 'exit');
      return child.pid!;
    }

    it('breaks a lock left by a process that died', async () => {
      await driver.put('doc.json', 'v1');
      const lockPath = await writeLock('doc.json', { pid: await deadPid(), host: hostname() });
      await driver.put('doc.json', 'v2', { ifMatch: (await driver.head('doc.json')).etag });
      expect((await getBytes(driver, 'doc.json')).toString()).toBe('v2');
      await expect(stat(lockPath)).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('breaks a lock older than staleMs even when its owner looks alive', async () => {
      const impatient = await createFsDriver(root, { staleMs: 500 });
      await writeLock('doc.json', { pid: process.pid, host: hostname() }, 5_000);
      await impatient.put('doc.json', 'v1');
      expect((await getBytes(impatient, 'doc.json')).toString()).toBe('v1');
    });

    it('waits for a live, fresh lock and gives up with StorageUnavailableError after timeoutMs', async () => {
      const impatient = await createFsDriver(root, { timeoutMs: 300 });
      await impatient.put('doc.json', 'v1');
      await writeLock('doc.json', { pid: process.pid, host: hostname() });
      await expect(impatient.put('doc.json', 'v2')).rejects.toBeInstanceOf(StorageUnavailableError);
      expect((await getBytes(impatient, 'doc.json')).toString()).toBe('v1');
    });
  });
});
