import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateUploadResult, StufClient } from '@stuf/sdk/node';
import { backends } from './helpers/backends.js';
import { clientFor, file, uploaded } from './helpers/client.js';
import { editStufConfig, everyKindMetadataConfig, LEGAL_VERSION, publishMetadataConfig, validMetadata } from './helpers/config-fixtures.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const MAX_FILE_SIZE = 1000;
const csv = () => file('table.csv', 'a,b\n1,2\n', 'text/csv');

/** The issue paths of a ValidationError result (fails the test for anything else). */
function issuePaths(result: CreateUploadResult): (string | number)[][] {
  if (result.__typename !== 'ValidationError') throw new Error(`expected a ValidationError, got ${JSON.stringify(result)}`);
  return result.issues.map((issue) => issue.path);
}

for (const backend of await backends()) {
  describe(`uploads are validated against the config, on ${backend.name}`, () => {
    let server: TestServer;
    let stuf: StufClient;
    let baseline: string[];
    beforeAll(async () => {
      server = await startTestServer(backend);
      stuf = clientFor(server);
      await publishMetadataConfig(stuf, everyKindMetadataConfig());
      await editStufConfig(stuf, (config) => {
        config.uploads.maxFileSizeBytes = MAX_FILE_SIZE;
        config.uploads.allowedExtensions = ['csv', '.PDF', 'txt'];
        config.uploads.allowedMimeTypes = ['text/*', 'application/pdf'];
      });
      baseline = await server.keys();
    });
    afterAll(() => server?.stop());

    const expectNothingStored = async () => expect(await server.keys()).toEqual(baseline);
    const upload = (metadata: Record<string, unknown>, options: { legalDeclarationVersion?: string | null; files?: File[] } = {}) =>
      stuf.createUpload({
        files: options.files ?? [csv()],
        metadata,
        ...(options.legalDeclarationVersion === null ? {} : { legalDeclarationVersion: options.legalDeclarationVersion ?? LEGAL_VERSION }),
      });

    it('accepts a valid upload and stores the acknowledged legal declaration version in metadata.json', async () => {
      const { id, metadata, legalDeclarationVersion } = uploaded(await upload(validMetadata()));
      expect(metadata).toEqual(validMetadata());
      expect(legalDeclarationVersion).toBe(LEGAL_VERSION);
      const stored = await server.driver.get(`uploads/${id}/metadata.json`);
      const document = JSON.parse(stored.notModified ? '{}' : await text(stored.body));
      expect(document.legalDeclaration).toEqual({ version: LEGAL_VERSION, acknowledgedAt: expect.any(String) });
      baseline = await server.keys();
    });

    const invalid: [string, (metadata: Record<string, unknown>) => void, (string | number)[]][] = [
      ['a missing required field', (m) => delete m.collectedOn, ['metadata', 'collectedOn']],
      ['an unknown option', (m) => (m.fileType = 'video'), ['metadata', 'fileType']],
      ['"Other" without its required explanation', (m) => (m.fileType = { special: 'OTHER' }), ['metadata', 'fileType', 'explanation']],
      ['"Other" without explanation inside a multiple choice', (m) => (m.formats = ['csv', { special: 'OTHER', explanation: ' ' }]), ['metadata', 'formats', 1, 'explanation']],
      ['"Don\'t know" without its required explanation', (m) => (m.ipOwnership = { special: 'DONT_KNOW' }), ['metadata', 'ipOwnership', 'explanation']],
      ['an unmet condition on a choice (third-party IP without licence)', (m) => delete m.license, ['metadata', 'license']],
      ['an unmet condition on a yes/no field (personal data without DPIA reference)', (m) => delete m.dpiaReference, ['metadata', 'dpiaReference']],
      ['text that does not match the pattern', (m) => (m.collection = 'abc-123'), ['metadata', 'collection']],
      ['an impossible date', (m) => (m.collectedOn = '2026-02-30'), ['metadata', 'collectedOn']],
      ['a disabled field', (m) => (m.comments = 'hello'), ['metadata', 'comments']],
      ['a field the config does not define', (m) => (m.colour = 'blue'), ['metadata', 'colour']],
    ];
    it.each(invalid)('refuses %s with its field path and stores nothing', async (_name, spoil, path) => {
      const metadata = validMetadata();
      spoil(metadata);
      expect(issuePaths(await upload(metadata))).toEqual([path]);
      await expectNothingStored();
    });

    it('refuses an upload without the required acknowledgement and stores nothing', async () => {
      expect(issuePaths(await upload(validMetadata(), { legalDeclarationVersion: null }))).toEqual([['legalDeclarationVersion']]);
      await expectNothingStored();
    });

    it('refuses an acknowledgement of another version of the legal declaration', async () => {
      expect(issuePaths(await upload(validMetadata(), { legalDeclarationVersion: '2025-01' }))).toEqual([['legalDeclarationVersion']]);
      await expectNothingStored();
    });

    it('reports every violation at once in one ValidationError', async () => {
      const metadata = validMetadata();
      delete metadata.collectedOn;
      metadata.fileType = 'video';
      delete metadata.license;
      expect(issuePaths(await upload(metadata, { legalDeclarationVersion: null }))).toEqual([
        ['metadata', 'fileType'],
        ['metadata', 'license'],
        ['metadata', 'collectedOn'],
        ['legalDeclarationVersion'],
      ]);
      await expectNothingStored();
    });

    it('refuses a file over the configured size limit with its path and stores nothing', async () => {
      const result = await upload(validMetadata(), { files: [csv(), file('big.txt', 'x'.repeat(MAX_FILE_SIZE + 1), 'text/plain')] });
      expect(result).toMatchObject({ __typename: 'LimitExceededError', limit: 'FILE_SIZE', maximum: MAX_FILE_SIZE, path: ['files', 1] });
      await expectNothingStored();
    });

    it('refuses a file of a type the config does not allow and stores nothing', async () => {
      expect(issuePaths(await upload(validMetadata(), { files: [file('tool.exe', 'MZ', 'application/x-msdownload')] }))).toEqual([['files', 0]]);
      await expectNothingStored();
    });

    it('refuses an allowed extension with a MIME type the config does not allow', async () => {
      expect(issuePaths(await upload(validMetadata(), { files: [file('report.pdf', '%PDF', 'image/png')] }))).toEqual([['files', 0]]);
      await expectNothingStored();
    });

    it('removes the files already stored when a later file has the wrong type', async () => {
      const files = [file('first.csv', 'a,b\n'.repeat(100), 'text/csv'), file('second.zip', 'PK', 'application/zip')];
      expect(issuePaths(await upload(validMetadata(), { files }))).toEqual([['files', 1]]);
      await expectNothingStored();
    });

    it('accepts an allowed extension in any letter case and a MIME family pattern', async () => {
      const { files } = uploaded(await upload(validMetadata(), { files: [file('Scan.PDF', '%PDF', 'application/pdf'), file('notes.txt', 'n', 'text/plain; charset=utf-8')] }));
      expect(files.map((f) => f.name)).toEqual(['Scan.PDF', 'notes.txt']);
      baseline = await server.keys();
    });
  });
}
