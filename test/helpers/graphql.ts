import { CreateUploadDocument } from '@stuf/sdk';
import { ADMIN_TOKEN } from './server.js';

/**
 * Raw HTTP, for the few tests that must send what the SDK refuses to send: a multipart request without the preflight
 * header, or with malformed `operations` / `map` fields. Everything else goes through the SDK (helpers/client.ts).
 */
export interface RawResponse {
  status: number;
  body: { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

export async function rawMultipartUpload(
  url: string,
  files: { name: string; content: string }[],
  options: { preflight?: boolean; operations?: string; map?: string } = {},
): Promise<RawResponse> {
  const form = new FormData();
  form.set('operations', options.operations ?? JSON.stringify({ query: String(CreateUploadDocument), variables: { input: { files: files.map(() => null), metadata: {} } } }));
  form.set('map', options.map ?? JSON.stringify(Object.fromEntries(files.map((_, index) => [String(index), [`variables.input.files.${index}`]]))));
  files.forEach((file, index) => form.set(String(index), new Blob([file.content]), file.name));
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { ...(options.preflight === false ? {} : { 'graphql-preflight': '1' }), authorization: `Bearer ${ADMIN_TOKEN}` },
    body: form,
  });
  return { status: response.status, body: JSON.parse(await response.text()) };
}
