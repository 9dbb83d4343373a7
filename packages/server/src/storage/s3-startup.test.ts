import { createServer, type Server, type Socket } from 'node:net';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client, RequestCounter } from './s3-client.js';
import { createS3Driver } from './s3-driver.js';
import { StorageUnavailableError } from './errors.js';
import { resolveS3Options, type S3DriverOptions } from './s3-options.js';

/** A TCP server that accepts connections, reads what it is sent, and never answers: a hung store or a wrong port. */
describe('an S3 endpoint that never answers', () => {
  let server: Server;
  const sockets = new Set<Socket>();
  let endpoint: string;
  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.resume();
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const options = (): S3DriverOptions => ({
    bucket: 'stuf',
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'key', secretAccessKey: 'secret' },
  });

  it('makes the server refuse to start once the startup deadline has passed, naming endpoint and bucket', async () => {
    const started = Date.now();
    const error = await createS3Driver({ ...options(), startupTimeoutMs: 500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect((error as Error).message).toBe(`No answer from S3 endpoint ${endpoint}, bucket "stuf" within 0.5 s. Is the store running and S3_ENDPOINT right?`);
    expect(Date.now() - started).toBeLessThan(10_000); // the SDK's own request timeout (120 s) did not decide it
  });

  it('fails a request with a timeout after requestTimeoutMs instead of waiting forever', async () => {
    const resolved = resolveS3Options({ ...options(), requestTimeoutMs: 300, maxAttempts: 1 });
    const client = createS3Client({ ...options(), requestTimeoutMs: 300, maxAttempts: 1 }, resolved, new RequestCounter());
    try {
      await expect(client.send(new ListObjectsV2Command({ Bucket: 'stuf' }))).rejects.toMatchObject({ name: 'TimeoutError' });
    } finally {
      client.destroy();
    }
  });
});
