import { describe, expect, it } from 'vitest';
import { prepareFiles } from './files.js';
import { createMultipartBody, escapeHeaderValue } from './multipart.js';

const decoder = new TextDecoder();

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function bodyFor(files: unknown[], boundary = 'BOUNDARY') {
  const prepared = await prepareFiles(files);
  const operations = { query: 'mutation ($input: CreateUploadInput!) { createUpload(input: $input) { __typename } }', variables: { input: { files: prepared.map(() => null), metadata: { a: 1 } } } };
  return createMultipartBody(operations, prepared.map((file, index) => ({ path: `variables.input.files.${index}`, file })), boundary);
}

describe('multipart request body (GraphQL multipart request spec)', () => {
  it('sends operations, then map, then one part per file, in that order', async () => {
    const body = await bodyFor([new File(['hello'], 'a.txt', { type: 'text/plain' }), new Uint8Array([1, 2, 3])]);
    const text = decoder.decode(await readAll(body.stream().body));
    expect(text).toBe(
      [
        '--BOUNDARY',
        'Content-Disposition: form-data; name="operations"',
        '',
        JSON.stringify({ query: 'mutation ($input: CreateUploadInput!) { createUpload(input: $input) { __typename } }', variables: { input: { files: [null, null], metadata: { a: 1 } } } }),
        '--BOUNDARY',
        'Content-Disposition: form-data; name="map"',
        '',
        '{"0":["variables.input.files.0"],"1":["variables.input.files.1"]}',
        '--BOUNDARY',
        'Content-Disposition: form-data; name="0"; filename="a.txt"',
        'Content-Type: text/plain',
        '',
        'hello',
        '--BOUNDARY',
        'Content-Disposition: form-data; name="1"; filename="blob"',
        'Content-Type: application/octet-stream',
        '',
        '\u0001\u0002\u0003',
        '--BOUNDARY--',
        '',
      ].join('\r\n'),
    );
    expect(body.contentType).toBe('multipart/form-data; boundary=BOUNDARY');
  });

  it('is parsed back by a standard multipart parser, with names and bytes intact', async () => {
    const bytes = new Uint8Array(200_000).map((_, i) => i % 251);
    const body = await bodyFor([new File([bytes], "rapport d'été №2.pdf", { type: 'application/pdf' }), new File(['x'], 'line\r\nbreak "quoted".txt')], 'X-STUF-TEST');
    const form = await new Response(body.stream().body, { headers: { 'content-type': body.contentType } }).formData();
    expect(JSON.parse(form.get('operations') as string).variables.input.files).toEqual([null, null]);
    expect(JSON.parse(form.get('map') as string)).toEqual({ 0: ['variables.input.files.0'], 1: ['variables.input.files.1'] });
    const first = form.get('0') as File;
    expect(first.name).toBe("rapport d'été №2.pdf");
    expect(first.type).toBe('application/pdf');
    expect(new Uint8Array(await first.arrayBuffer())).toEqual(bytes);
    // CR, LF and quotes are escaped as browsers do (so a name can never break out of its header), and decoded back.
    expect((form.get('1') as File).name).toBe('line\r\nbreak "quoted".txt');
    expect(escapeHeaderValue('a"b\r\nc')).toBe('a%22b%0D%0Ac');
  });

  it('knows its exact size when every file size is known', async () => {
    const body = await bodyFor([new File(['hello'], 'a.txt'), new Uint8Array(70_000), new Blob(['é'])]);
    expect(body.size).toBe((await readAll(body.stream().body)).byteLength);
  });

  it('reads nothing before the consumer asks, and counts what it hands out', async () => {
    const body = await bodyFor([new Uint8Array(300_000)]);
    const progress: number[] = [];
    const counted = body.stream((loaded) => progress.push(loaded));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(counted.pulled).toBe(0);
    const reader = counted.body.getReader();
    const { value } = await reader.read();
    expect(counted.pulled).toBe(value!.byteLength);
    while (!(await reader.read()).done);
    expect(counted.pulled).toBe(body.size);
    expect(progress.at(-1)).toBe(body.size);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    // Large buffers are sent in slices, so progress moves smoothly.
    expect(progress.length).toBeGreaterThan(4);
  });

  it('builds the same request as FormData (used in browsers)', async () => {
    const body = await bodyFor([new File(['hello'], 'a.txt', { type: 'text/plain' }), new Uint8Array([1, 2, 3])]);
    const form = body.formData();
    expect([...form.keys()]).toEqual(['operations', 'map', '0', '1']);
    expect((form.get('0') as File).name).toBe('a.txt');
    expect(new Uint8Array(await (form.get('1') as File).arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
    expect(body.repeatable).toBe(true);
  });
});
