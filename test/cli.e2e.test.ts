import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from './helpers/backends.js';
import { clientFor } from './helpers/client.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './helpers/server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(ROOT, 'packages/cli/bin/stuf.js');
const BIG_FILE_BYTES = 200 * 1024 * 1024;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the `stuf` binary as a user would, with STUF_URL/STUF_TOKEN unless `env` overrides them. */
function stuf(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const sha256File = (file: string) =>
  new Promise<string>((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });

let work: string;
let bigFile: string;
let bigSha256: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'stuf-cli-'));
  bigFile = path.join(work, 'big-dataset.bin');
  // 200 MB of random bytes, written (and hashed) a MiB at a time.
  const hash = createHash('sha256');
  const out = createWriteStream(bigFile);
  for (let i = 0; i < BIG_FILE_BYTES / (1024 * 1024); i++) {
    const chunk = randomBytes(1024 * 1024);
    hash.update(chunk);
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
  bigSha256 = hash.digest('hex');
});
afterAll(() => rm(work, { recursive: true, force: true }));

for (const backend of await backends()) {
  describe(`stuf CLI against a server on ${backend.name}`, () => {
    let server: TestServer;
    let env: Record<string, string>;
    beforeAll(async () => {
      server = await startTestServer(backend, { STUF_MAX_METADATA_BYTES: '512' });
      env = { STUF_URL: server.url, STUF_TOKEN: ADMIN_TOKEN };
    });
    afterAll(() => server?.stop());

    it('uploads a 200 MB file with a progress bar, lists it, downloads it: identical bytes', async () => {
      const upload = await stuf(['upload', bigFile, '--meta', 'collection=big', '--meta', 'license=confidential', '--progress', '--json'], env);
      expect(upload.stderr).toMatch(/Uploading\s+\[[█░]+\]\s+\d+%/);
      expect(upload.stderr).toMatch(/100% \| 210 MB \/ 210 MB/);
      expect(upload.code, upload.stderr).toBe(0);
      const created = JSON.parse(upload.stdout) as { id: string; files: { name: string; size: number; sha256: string }[]; metadata: unknown };
      expect(created.files).toEqual([expect.objectContaining({ name: 'big-dataset.bin', size: BIG_FILE_BYTES, sha256: bigSha256 })]);
      expect(created.metadata).toEqual({ collection: 'big', license: 'confidential' });

      const out = path.join(work, `download-${backend.name}`);
      const [listed, table, download] = await Promise.all([
        stuf(['uploads', 'list', '--json'], env),
        stuf(['uploads', 'list', '--search', 'big'], env),
        stuf(['uploads', 'download', created.id, '--out', out, '--progress'], env),
      ]);
      expect(listed.code, listed.stderr).toBe(0);
      expect((JSON.parse(listed.stdout) as { uploads: { id: string }[] }).uploads.map((u) => u.id)).toContain(created.id);
      expect(table.code, table.stderr).toBe(0);
      expect(table.stdout).toMatch(/^ID\s+CREATED\s+FILES\s+SIZE\s+UPLOADER\s+METADATA$/m);
      expect(table.stdout).toMatch(new RegExp(`^${created.id}\\s.*big-dataset\\.bin\\s+210 MB\\s+bootstrap-admin\\s+collection=big license=confidential$`, 'm'));

      expect(download.code, download.stderr).toBe(0);
      expect(download.stderr).toMatch(/big-dataset\.bin\s+\[[█░]+\]\s+100%/);
      expect(await readdir(out)).toEqual(['big-dataset.bin']);
      expect(await sha256File(path.join(out, 'big-dataset.bin'))).toBe(bigSha256);

      // A second download into the same place is refused before anything is fetched.
      const again = await stuf(['uploads', 'download', created.id, '--out', out], env);
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(/already exists \(use --force/);
    });

    it('overwrites with --force and keeps colliding names apart', async () => {
      const [a, b] = [path.join(work, 'a', 'same.txt'), path.join(work, 'b', 'same.txt')];
      await Promise.all([a, b].map((file, i) => mkdir(path.dirname(file), { recursive: true }).then(() => writeFile(file, `content ${i}`))));
      const upload = await stuf(['upload', a, b, '--json'], env);
      expect(upload.code, upload.stderr).toBe(0);
      const { id } = JSON.parse(upload.stdout) as { id: string };
      const out = path.join(work, `same-${backend.name}`);
      await mkdir(out);
      await writeFile(path.join(out, 'same.txt'), 'old');
      const result = await stuf(['uploads', 'download', id, '--out', out, '--force'], env);
      expect(result.code, result.stderr).toBe(0);
      expect((await readdir(out)).sort()).toEqual(['same (2).txt', 'same.txt']);
      expect(await readFile(path.join(out, 'same.txt'), 'utf8')).toBe('content 0');
      expect(await readFile(path.join(out, 'same (2).txt'), 'utf8')).toBe('content 1');
    });

    it('exits 3 with the typed reason when the server refuses the upload', async () => {
      const small = path.join(work, 'small.txt');
      await writeFile(small, 'hello');
      const result = await stuf(['upload', small, '--meta', `comments=${'x'.repeat(600)}`], env);
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(/LIMIT_EXCEEDED: .*\n\s+limit METADATA_SIZE: 512/);
      expect(await clientFor(server).uploads({ search: 'small.txt' })).toMatchObject({ totalCount: 0 });
    });

    it('exits 4 without a valid token, 5 for an unknown upload', async () => {
      const small = path.join(work, 'small.txt');
      await writeFile(small, 'hello');
      const [wrong, anonymous, missing] = await Promise.all([
        stuf(['upload', small, '--token', 'wrong-token-wrong-token'], env),
        stuf(['uploads', 'list'], { STUF_URL: server.url, STUF_TOKEN: undefined }),
        stuf(['uploads', 'download', 'no-such-upload', '--out', work], env),
      ]);
      expect(wrong.code).toBe(4);
      expect(wrong.stderr).toMatch(/UNAUTHENTICATED/);
      expect(anonymous.code).toBe(4);
      expect(anonymous.stderr).toMatch(/hint: pass --token/);
      expect(missing.code).toBe(5);
      expect(missing.stderr).toMatch(/no upload with id no-such-upload/);
    });

    it('prints the facility config, or one value of it', async () => {
      const [all, one, none] = await Promise.all([
        stuf(['config', 'get'], env),
        stuf(['config', 'get', 'uploads.allowedExtensions', '--url', server.url], { STUF_TOKEN: ADMIN_TOKEN }),
        stuf(['config', 'get', 'no.such.setting'], env),
      ]);
      expect(all.code, all.stderr).toBe(0);
      expect(JSON.parse(all.stdout)).toMatchObject({ schemaVersion: 1, projectName: expect.any(String), uploads: expect.any(Object) });
      expect([one.code, JSON.parse(one.stdout)]).toEqual([0, []]);
      expect(none.code).toBe(5);
    });
  });
}

describe('stuf CLI usage', () => {
  // Every command's --help and the bad-argument matrix run in-process in packages/cli/src/program.test.ts; here the
  // binary itself proves the exit codes.
  it('the binary exits 0 for --help and 2 with a usage message for bad arguments', async () => {
    const [help, bad] = await Promise.all([stuf(['uploads', 'download', '--help']), stuf(['upload'])]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: stuf uploads download \[options\] <id>/);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/missing required argument 'files'[\s\S]*Usage: stuf upload \[options\] <files\.\.\.>/);
    expect(bad.stdout).toBe('');
  });

  it('exits 6 when the server cannot be reached', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    const result = await stuf(['uploads', 'list'], { STUF_URL: `http://127.0.0.1:${port}`, STUF_TOKEN: 'x' });
    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(/NETWORK_ERROR.*ECONNREFUSED/);
  });

  it('runs the server with `stuf serve` and shuts it down gracefully on SIGTERM', async () => {
    const dataDir = path.join(work, 'serve-data');
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], {
      cwd: ROOT,
      env: {
        // The server rejects unknown STUF_* settings; keep only the test's own.
        ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('STUF_'))),
        STUF_ADMIN_TOKEN: ADMIN_TOKEN,
        LOG_LEVEL: 'silent',
        STUF_STORAGE: 'fs',
        // STUF_URL/STUF_TOKEN are the CLI's settings: the server must not reject them as unknown.
        STUF_URL: 'http://x',
        STUF_TOKEN: 'x',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk;
          const match = /listening on (http:\/\/\S+)\/graphql/.exec(stdout);
          if (match) resolve(match[1]!);
        });
        child.on('close', (code) => reject(new Error(`stuf serve exited with ${code}: ${stdout}${stderr}`)));
      });
      expect(await clientFor({ url }).health()).toEqual({ ok: true, storage: 'fs' });
      const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
      child.kill('SIGTERM');
      expect(await closed).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
