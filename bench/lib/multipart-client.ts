import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { request } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { BENCH_ADMIN_TOKEN } from './server-process.js';

const CREATE_UPLOAD = /* GraphQL */ `
  mutation CreateUpload($input: CreateUploadInput!) {
    createUpload(input: $input) {
      __typename
      ... on CreateUploadPayload { upload { id files { name size sha256 } } }
      ... on Error { message code }
    }
  }
`;

export interface UploadedFile {
  uploadId: string;
  name: string;
  size: number;
  sha256: string;
}

/**
 * One GraphQL multipart `createUpload` (operations + map + one file part) over node:http, with the file streamed from
 * disk: the body is never held in memory, and Content-Length is exact (no chunked encoding), as a browser would send it.
 */
export async function streamCreateUpload(serverUrl: string, filePath: string, fileBytes: number, fileName: string): Promise<UploadedFile> {
  const boundary = `----stuf-bench-${randomBytes(12).toString('hex')}`;
  const operations = JSON.stringify({ query: CREATE_UPLOAD, variables: { input: { files: [null], metadata: { collection: 'bench' } } } });
  const map = JSON.stringify({ 0: ['variables.input.files.0'] });
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${operations}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n${map}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);

  const responseText = await new Promise<string>((resolve, reject) => {
    const req = request(`${serverUrl}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(head.length + fileBytes + tail.length),
        authorization: `Bearer ${BENCH_ADMIN_TOKEN}`,
        'graphql-preflight': '1',
      },
    });
    req.once('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.once('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`HTTP ${res.statusCode}: ${text}`))));
      res.once('error', reject);
    });
    req.once('error', reject);
    req.write(head);
    pipeline(createReadStream(filePath, { highWaterMark: 1024 * 1024 }), req, { end: false }).then(
      () => req.end(tail),
      (error: unknown) => req.destroy(error as Error),
    );
  });

  const body = JSON.parse(responseText) as {
    data?: { createUpload: { __typename: string; message?: string; upload?: { id: string; files: { name: string; size: number; sha256: string }[] } } };
    errors?: unknown[];
  };
  const payload = body.data?.createUpload;
  if (!payload?.upload) throw new Error(`createUpload failed: ${responseText}`);
  const [file] = payload.upload.files;
  return { uploadId: payload.upload.id, name: file!.name, size: file!.size, sha256: file!.sha256 };
}
