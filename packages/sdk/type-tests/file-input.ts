/**
 * What `createUpload({ files })` accepts, checked by tsc: every `@ts-expect-error` line must fail to compile (else
 * tsc reports the directive as unused), every other line must compile.
 */
import { Readable } from 'node:stream';
import { createStufClient } from '@stuf/sdk';
import { fileFromPath, fileFromStream } from '@stuf/sdk/node';

const stuf = createStufClient({ url: 'http://localhost:4000', token: 't' });

export async function accepted() {
  await stuf.createUpload({ files: [new Blob(['x'])] });
  await stuf.createUpload({ files: [new File(['x'], 'x.txt', { type: 'text/plain' })] });
  await stuf.createUpload({ files: [Buffer.from('x')], metadata: { collection: 'pilot' } });
  await stuf.createUpload({ files: [new Uint8Array(3)] });
  await stuf.createUpload({ files: [fileFromPath('report.pdf'), fileFromStream(Readable.from(['x']), { name: 'x.txt' })] });
}

export async function rejected() {
  // @ts-expect-error a string is not a file
  await stuf.createUpload({ files: ['x'] });
  // @ts-expect-error a plain object is not a file, even one that looks like it
  await stuf.createUpload({ files: [{ name: 'x.txt', content: 'x' }] });
  // @ts-expect-error a plain object shaped like a helper's file lacks its brand
  await stuf.createUpload({ files: [{ name: 'x.txt', type: 'text/plain', repeatable: true, size: async () => 1, stream: () => Readable.from([]) }] });
  // @ts-expect-error an ArrayBuffer must be wrapped (new Uint8Array(buffer))
  await stuf.createUpload({ files: [new ArrayBuffer(1)] });
  // @ts-expect-error files is required
  await stuf.createUpload({ metadata: {} });
}

export async function results() {
  const result = await stuf.createUpload({ files: [new Blob(['x'])] });
  // @ts-expect-error only the payload has `upload`: narrow on __typename first
  void result.upload;
  if (result.__typename === 'CreateUploadPayload') {
    const id: string = result.upload.id;
    const sha: string = result.upload.files[0]!.sha256;
    void [id, sha];
  } else if (result.__typename === 'ValidationError') {
    const paths: (string | number)[][] = result.issues.map((issue) => issue.path);
    void paths;
  } else {
    const limit: 'FILE_COUNT' | 'FILE_SIZE' | 'METADATA_SIZE' = result.limit;
    void [limit, result.code, result.message];
  }
}
