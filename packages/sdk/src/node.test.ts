import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStufClient, fileFromPath, fileFromStream, guessContentType, StufError } from './node.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'stuf-sdk-node-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A server that parses nothing: it hashes each request body and answers a created upload. */
async function hashingServer(): Promise<{ url: string; bodies: { sha256: string; bytes: number; headers: Record<string, unknown> }[]; close(): Promise<void> }> {
  const bodies: { sha256: string; bytes: number; headers: Record<string, unknown> }[] = [];
  const server: Server = createServer((req, res) => {
    const hash = createHash('sha256');
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
    });
    req.on('end', () => {
      bodies.push({ sha256: hash.digest('hex'), bytes, headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: { createUpload: { __typename: 'CreateUploadPayload', upload: { id: 'u', files: [] } } } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('fileFromPath', () => {
  it('streams a file from disk with its base name and a guessed type; the size is known up front', async () => {
    const file = path.join(dir, 'report.pdf');
    await writeFile(file, 'pdf bytes');
    const stuf = fileFromPath(file);
    expect([stuf.name, stuf.type, stuf.repeatable, await stuf.size()]).toEqual(['report.pdf', 'application/pdf', true, 9]);
    expect(fileFromPath(file, { name: 'other.bin', type: 'x/y' })).toMatchObject({ name: 'other.bin', type: 'x/y' });
    expect(guessContentType('DATA.CSV')).toBe('text/csv');
    expect(guessContentType('noext')).toBe('application/octet-stream');
  });

  it('is refused before anything is sent when the file cannot be read', async () => {
    let calls = 0;
    const client = createStufClient({ url: 'http://stuf.test', fetch: (async () => (calls++, new Response())) as typeof fetch });
    const error = await client.createUpload({ files: [fileFromPath(path.join(dir, 'missing.txt'))] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StufError);
    expect(error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/files\[0\] \(missing\.txt\) cannot be read/) });
    expect(calls).toBe(0);
  });

  it('uploads a large file in constant memory (the body is streamed, never buffered)', async () => {
    const file = path.join(dir, 'large.bin');
    const size = 256 * 1024 * 1024;
    const chunk = randomBytes(1024 * 1024);
    await new Promise<void>((resolve, reject) => {
      const out = createWriteStream(file);
      out.on('error', reject);
      for (let i = 0; i < size / chunk.length; i++) out.write(chunk);
      out.end(resolve);
    });
    const server = await hashingServer();
    try {
      let peak = 0;
      const baseline = process.memoryUsage().rss;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
      const progress: number[] = [];
      await createStufClient({ url: server.url }).createUpload({ files: [fileFromPath(file)] }, { onProgress: ({ loaded }) => progress.push(loaded) });
      clearInterval(sampler);
      expect(server.bodies[0]!.bytes).toBeGreaterThan(size);
      expect(Number(server.bodies[0]!.headers['content-length'])).toBe(server.bodies[0]!.bytes);
      expect(progress.at(-1)).toBe(server.bodies[0]!.bytes);
      // Buffering the body (e.g. fetch teeing it for redirects) would add the whole 256 MiB.
      expect(peak - baseline).toBeLessThan(128 * 1024 * 1024);
    } finally {
      await server.close();
      await rm(file, { force: true });
    }
  });
});

describe('fileFromStream', () => {
  it('sends a Readable once, under the given name, without a known size', async () => {
    const server = await hashingServer();
    try {
      const client = createStufClient({ url: server.url });
      const totals: (number | undefined)[] = [];
      const stream = fileFromStream(Readable.from([Buffer.from('hello '), 'world']), { name: 'greeting.txt' });
      await client.createUpload({ files: [stream] }, { onProgress: ({ total }) => totals.push(total) });
      expect(totals.every((total) => total === undefined)).toBe(true);
      // Without a size the body is sent chunked.
      expect(server.bodies[0]!.headers['transfer-encoding']).toBe('chunked');
      expect(stream.repeatable).toBe(false);
      expect(() => stream.stream()).toThrow(/already sent/);
    } finally {
      await server.close();
    }
  });

  it('needs a name', () => {
    expect(() => fileFromStream(Readable.from([]), {} as never)).toThrow(/name is required/);
  });

  it('reports a source that fails while being read as FILE_READ_FAILED, not as a network error', async () => {
    const server = await hashingServer();
    try {
      const failing = new Readable({
        read() {
          this.destroy(new Error('disk on fire'));
        },
      });
      const error = await createStufClient({ url: server.url })
        .createUpload({ files: [fileFromStream(failing, { name: 'x.bin' })] })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'FILE_READ_FAILED', message: expect.stringMatching(/disk on fire/) });
    } finally {
      await server.close();
    }
  });
});
