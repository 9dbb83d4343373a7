import { createHash } from 'node:crypto';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileFromPath, fileFromStream, StufError, type StufClient } from '@stuf/sdk/node';
import { backends } from './helpers/backends.js';
import { clientFor, file, uploaded } from './helpers/client.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/** The SDK's upload paths (streamed on Node, FormData as in browsers, Node helpers) against the real server. */
for (const backend of await backends()) {
  describe(`SDK uploads on ${backend.name}`, () => {
    let server: TestServer;
    let stuf: StufClient;
    let dir: string;
    beforeAll(async () => {
      server = await startTestServer(backend);
      stuf = clientFor(server);
      dir = await mkdtemp(path.join(tmpdir(), 'stuf-sdk-e2e-'));
    });
    afterAll(async () => {
      await server?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    it('sends Blobs and Files as FormData (the browser path) with the same result as the streamed path', async () => {
      const bytes = new Uint8Array(100_000).map((_, i) => (i * 31) % 256);
      for (const uploadMode of ['form-data', 'stream'] as const) {
        const progress: number[] = [];
        const upload = uploaded(
          await clientFor(server, { uploadMode }).createUpload(
            { files: [file('chart.png', bytes, 'image/png'), new Blob(['plain blob'])], metadata: { comments: uploadMode } },
            { onProgress: ({ loaded }) => progress.push(loaded) },
          ),
        );
        expect(upload.files.map((f) => [f.name, f.size, f.sha256, f.contentType])).toEqual([
          ['chart.png', bytes.length, sha256(bytes), 'image/png'],
          ['blob', 10, sha256('plain blob'), 'application/octet-stream'],
        ]);
        expect(progress.length, uploadMode).toBeGreaterThan(0);
      }
    });

    it('streams files from disk and from a Readable of unknown size', async () => {
      const onDisk = path.join(dir, 'measurements.csv');
      const csv = 'id,value\n' + Array.from({ length: 20_000 }, (_, i) => `${i},${i * 3}`).join('\n');
      await writeFile(onDisk, csv);
      const generated = Array.from({ length: 50 }, (_, i) => Buffer.alloc(10_000, i));
      const progress: { loaded: number; total: number | undefined }[] = [];
      const upload = uploaded(
        await stuf.createUpload(
          { files: [fileFromPath(onDisk), fileFromStream(Readable.from(generated), { name: 'generated.bin' })] },
          { onProgress: (event) => progress.push(event) },
        ),
      );
      expect(upload.files.map((f) => [f.name, f.size, f.sha256, f.contentType])).toEqual([
        ['measurements.csv', Buffer.byteLength(csv), sha256(csv), 'text/csv'],
        ['generated.bin', 500_000, sha256(Buffer.concat(generated)), 'application/octet-stream'],
      ]);
      // A stream of unknown size: no total, but the count still grows to the whole body.
      expect(progress.every((event) => event.total === undefined)).toBe(true);
      expect(progress.at(-1)!.loaded).toBeGreaterThan(Buffer.byteLength(csv) + 500_000);
    });

    it('aborts an upload in flight: ABORTED, and no upload is created', async () => {
      const before = (await stuf.uploads()).totalCount;
      const controller = new AbortController();
      let sent = 0;
      // A stream far longer than the point of abort (bounded, and yielding to the event loop, so that a regression
      // fails the test instead of hanging it).
      const endless = Readable.from(
        (async function* () {
          for (let i = 0; i < 4096; i++) {
            await new Promise((resolve) => setImmediate(resolve));
            yield Buffer.alloc(64 * 1024, 7);
          }
        })(),
      );
      const error = await stuf
        .createUpload(
          { files: [fileFromStream(endless, { name: 'endless.bin' })] },
          {
            signal: controller.signal,
            onProgress: ({ loaded }) => {
              sent = loaded;
              if (loaded > 4 * 1024 * 1024) controller.abort();
            },
          },
        )
        .catch((reason: unknown) => reason);
      expect(error).toBeInstanceOf(StufError);
      expect((error as StufError).code).toBe('ABORTED');
      expect(sent).toBeGreaterThan(4 * 1024 * 1024);
      expect(endless.destroyed).toBe(true);
      expect((await stuf.uploads()).totalCount).toBe(before);
      expect((await server.keys()).filter((key) => key.endsWith('/metadata.json') && key.startsWith('uploads/'))).toHaveLength(before);
    });
  });
}
