import { createStufClient, type CreateUploadResult, type StufClient, type StufClientOptions, type Upload } from '@stuf/sdk/node';
import { ADMIN_TOKEN } from './server.js';

/**
 * An SDK client for a test server: the admin token by default, `token: null` for an anonymous caller. Retries are
 * quick so a test that provokes them stays fast.
 */
export function clientFor(server: { url: string }, options: Omit<Partial<StufClientOptions>, 'token'> & { token?: string | null } = {}): StufClient {
  const { token, ...rest } = options;
  return createStufClient({
    url: server.url,
    token: token === null ? undefined : (token ?? ADMIN_TOKEN),
    retry: { retries: 3, baseDelayMs: 20, maxDelayMs: 200 },
    ...rest,
  });
}

/** The upload of a successful `createUpload`; fails the test with the typed error otherwise. */
export function uploaded(result: CreateUploadResult): Upload {
  if (result.__typename !== 'CreateUploadPayload') throw new Error(`expected an upload, got ${result.__typename}: ${result.code} ${result.message}`);
  return result.upload;
}

/** A named in-memory file (Node ≥ 20 has the web `File`). */
export const file = (name: string, content: string | Uint8Array, type = 'application/octet-stream') => new File([content as BlobPart], name, { type });
