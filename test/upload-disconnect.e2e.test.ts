import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { request, type ClientRequest } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FS_INTERNAL_DIR } from '../packages/server/src/storage/fs-driver.js';
import type { S3Driver } from '../packages/server/src/storage/s3-driver.js';
import { backends, type TestBackend } from './helpers/backends.js';
import { eventually } from './helpers/poll.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './helpers/server.js';

const MiB = 1024 * 1024;
/** The file size the request announces (Content-Length covers all of it)… */
const ANNOUNCED_FILE_BYTES = 200 * MiB;
/** …and how much of it the client sends before it goes away. */
const SENT_BEFORE_DISCONNECT = 100 * MiB;
/** Bound for the server to notice the disconnect and clean up; polled, never slept. */
const CLEANUP_TIMEOUT_MS = 10_000;

const CREATE_UPLOAD = /* GraphQL */ `
  mutation CreateUpload($input: CreateUploadInput!) {
    createUpload(input: $input) {
      __typename
      ... on CreateUploadPayload { upload { id } }
    }
  }
`;

/** A JSON GraphQL request; the SDK is not used because the interesting request here is one no SDK would send. */
async function graphql(url: string, query: string): Promise<{ data?: any; errors?: unknown[] }> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as { data?: any; errors?: unknown[] };
}

/** A complete small upload, sent the way a browser would. */
async function uploadSmallFile(url: string, name: string): Promise<string> {
  const form = new FormData();
  form.set('operations', JSON.stringify({ query: CREATE_UPLOAD, variables: { input: { files: [null], metadata: {} } } }));
  form.set('map', JSON.stringify({ 0: ['variables.input.files.0'] }));
  form.set('0', new Blob([`contents of ${name}`]), name);
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'graphql-preflight': '1' },
    body: form,
  });
  const body = (await response.json()) as { data?: { createUpload?: { __typename: string; upload?: { id: string } } } };
  if (body.data?.createUpload?.__typename !== 'CreateUploadPayload') throw new Error(`upload of ${name} failed: ${JSON.stringify(body)}`);
  return body.data.createUpload.upload!.id;
}

/**
 * What the backend holds while a streamed put is unfinished: the fs driver's temporary files, or S3's open multipart
 * uploads. Empty once the server has finished (or abandoned and cleaned up) every write.
 */
function unfinishedWrites(backend: TestBackend, server: TestServer): () => Promise<string[]> {
  if (backend.name === 's3') {
    const driver = server.driver as S3Driver;
    return async () => {
      const { listOpenMultipartUploads } = await import('../packages/server/src/storage/s3-test-support.js');
      return (await listOpenMultipartUploads(driver.client, driver.bucket)).map((upload) => `multipart upload of ${upload.key}`);
    };
  }
  const tmpDir = path.join(server.dataDir!, FS_INTERNAL_DIR, 'tmp');
  return async () => (await readdir(tmpDir)).map((name) => `temporary file ${name}`);
}

/**
 * Starts a multipart createUpload announcing a 200 MB file, streams about 100 MB of it, waits until the server is
 * demonstrably storing it (`unfinished` is non-empty), then destroys the socket.
 */
async function disconnectHalfway(url: string, unfinished: () => Promise<string[]>): Promise<void> {
  const boundary = `----stuf-disconnect-${randomBytes(8).toString('hex')}`;
  const operations = JSON.stringify({ query: CREATE_UPLOAD, variables: { input: { files: [null], metadata: {} } } });
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${operations}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0":["variables.input.files.0"]}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="interrupted.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const req = request(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': String(head.length + ANNOUNCED_FILE_BYTES + tail.length),
      authorization: `Bearer ${ADMIN_TOKEN}`,
      'graphql-preflight': '1',
    },
  });
  let closed = false;
  req.on('error', () => undefined); // we destroy the socket on purpose
  req.once('close', () => (closed = true));
  req.once('response', (res) => res.resume());

  req.write(head);
  const chunk = randomBytes(MiB);
  for (let sent = 0; sent < SENT_BEFORE_DISCONNECT; sent += chunk.length) {
    if (closed) throw new Error(`the server closed the connection after ${sent} bytes; it should have kept reading`);
    if (!req.write(chunk)) await drainedOrClosed(req);
  }
  // Only a disconnect in the middle of storing proves anything: the server must have started writing the file.
  await vi.waitFor(async () => expect(await unfinished()).not.toEqual([]), { timeout: CLEANUP_TIMEOUT_MS, interval: 50 });
  req.destroy();
}

function drainedOrClosed(req: ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      req.off('drain', done);
      req.off('close', done);
      resolve();
    };
    req.on('drain', done);
    req.on('close', done);
  });
}

/** Polls `check` until it returns an empty list or `timeoutMs` passes; returns its last answer. */
async function pollUntilEmpty(check: () => Promise<string[]>, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = await check();
    if (left.length === 0 || Date.now() >= deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

for (const backend of await backends()) {
  describe(`a client that disconnects halfway through a 200 MB upload, on ${backend.name}`, () => {
    let server: TestServer;
    let before: { keys: string[]; cacheEtag: string };
    let leftAfterCleanup: string[];

    beforeAll(async () => {
      server = await startTestServer(backend, { LOG_LEVEL: 'info' }, { captureLogs: true });
      const unfinished = unfinishedWrites(backend, server);
      // A bucket with an upload, its journal entry and a current uploads.json, so "nothing changed" means something.
      await uploadSmallFile(server.url, 'earlier.txt');
      expect((await graphql(server.url, '{ uploads { totalCount } }')).data?.uploads.totalCount).toBe(1);
      before = { keys: await server.keys(), cacheEtag: (await server.driver.head('uploads.json')).etag };
      expect(await unfinished()).toEqual([]);

      await disconnectHalfway(server.url, unfinished);
      leftAfterCleanup = await pollUntilEmpty(unfinished, CLEANUP_TIMEOUT_MS);
    });
    afterAll(() => server?.stop());

    it(
      backend.name === 's3' ? 'aborts the multipart upload: none is left in progress' : 'removes the partly written temporary file',
      () => {
        expect(leftAfterCleanup, `still there ${CLEANUP_TIMEOUT_MS} ms after the client went away`).toEqual([]);
      },
    );

    it('logs the disconnect as information and the rollback as a warning, not as a server error', async () => {
      const logged = await eventually(() => server.logs().find((line) => line.msg === 'client disconnected during the upload'), { message: 'the disconnect logged' });
      expect(logged.level).toBe(30);
      expect(server.logs().filter((line) => (line.level as number) >= 50)).toEqual([]);
      expect(server.logs().filter((line) => line.msg === 'upload failed; stored parts removed')).toHaveLength(1);
    });

    it('writes the access-log line of the abandoned request, marked aborted', async () => {
      const line = await eventually(() => server.logs().find((entry) => entry.msg === 'request' && entry.aborted === true), { message: 'an aborted request logged' });
      expect(line).toMatchObject({ method: 'POST', path: '/graphql', level: 30 });
    });

    it('stores no object under uploads/', async () => {
      const uploads = (keys: string[]) => keys.filter((key) => key.startsWith('uploads/'));
      expect(uploads(await server.keys())).toEqual(uploads(before.keys));
    });

    it('writes no journal entry', async () => {
      const journal = (keys: string[]) => keys.filter((key) => key.startsWith('journal/'));
      expect(journal(await server.keys())).toEqual(journal(before.keys));
    });

    it('leaves uploads.json as it was', async () => {
      expect((await server.driver.head('uploads.json')).etag).toBe(before.cacheEtag);
    });

    it('leaves no other object behind either', async () => {
      expect(await server.keys()).toEqual(before.keys);
    });

    it('still answers a health query', async () => {
      expect((await graphql(server.url, '{ health { ok storage } }')).data?.health).toEqual({ ok: true, storage: backend.name });
    });

    it('still accepts a complete upload', async () => {
      const id = await uploadSmallFile(server.url, 'later.txt');
      const listed = await graphql(server.url, '{ uploads { totalCount edges { node { id } } } }');
      expect(listed.data?.uploads.totalCount).toBe(2);
      expect(listed.data?.uploads.edges.map((edge: { node: { id: string } }) => edge.node.id)).toContain(id);
    });
  });
}
