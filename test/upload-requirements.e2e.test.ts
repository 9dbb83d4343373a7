import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetadataFieldRequirement, StufClient, UploadRequirements } from '@stuf/sdk/node';
import { backends } from './helpers/backends.js';
import { clientFor, file, uploaded } from './helpers/client.js';
import { editStufConfig, everyKindMetadataConfig, publishMetadataConfig } from './helpers/config-fixtures.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/**
 * What a script does with `uploadRequirements` alone: answer every field that is required, or required by a condition
 * its own answers make true, with the first option in display order (or the default), text of the minimum length, a
 * date, yes — and acknowledge the legal declaration. Nothing here knows the config.
 */
function buildMetadata(requirements: UploadRequirements): Record<string, unknown> {
  const metadata: Record<string, unknown> = {};
  const answer = (field: MetadataFieldRequirement): unknown => {
    const preferred = field.options.find((option) => option.default) ?? field.options[0];
    switch (field.kind) {
      case 'SINGLE_CHOICE':
        return preferred!.value;
      case 'MULTIPLE_CHOICE':
        return [preferred!.value];
      case 'FREE_TEXT':
        return 'x'.repeat(Math.max(1, field.text?.minLength ?? 1));
      case 'DATE':
        return '2026-01-31';
      case 'YES_NO':
        return true;
    }
  };
  const holds = (condition: MetadataFieldRequirement['requiredWhen'][number]) => {
    const value = metadata[condition.field];
    return (Array.isArray(value) ? value : [value]).some((item) => condition.values.includes(item));
  };
  // Until nothing changes: an answer may make a condition of an earlier field true.
  for (let changed = true; changed; ) {
    changed = false;
    for (const field of requirements.fields) {
      if (field.key in metadata || !(field.required || field.requiredWhen.some(holds))) continue;
      metadata[field.key] = answer(field);
      changed = true;
    }
  }
  return metadata;
}

/** A file the limits accept: an allowed extension and type, well under the size limit. */
function buildFile(requirements: UploadRequirements): File {
  const { allowedExtensions, allowedMimeTypes } = requirements.limits;
  const type = (allowedMimeTypes[0] ?? 'application/octet-stream').replace(/\/\*$/, '/plain');
  return file(`built.${allowedExtensions[0] ?? 'bin'}`, 'built from the requirements', type);
}

for (const backend of await backends()) {
  describe(`uploadRequirements on ${backend.name}`, () => {
    let server: TestServer;
    let stuf: StufClient;
    beforeAll(async () => {
      server = await startTestServer(backend, { STUF_MAX_FILES: '7' });
      stuf = clientFor(server);
      // The every-kind config, minus the pattern (a script cannot invent text for an arbitrary regular expression).
      await publishMetadataConfig(stuf, everyKindMetadataConfig({ collectionPattern: false }));
      await editStufConfig(stuf, (config) => {
        config.projectName = 'Requirements';
        config.uploads.maxFileSizeBytes = 4096;
        config.uploads.maxFilesPerUpload = 50;
        config.uploads.allowedExtensions = ['CSV', 'txt'];
        config.uploads.allowedMimeTypes = ['text/*'];
      });
    });
    afterAll(() => server?.stop());

    it('is enough to build a valid upload: metadata built only from the answer is accepted', async () => {
      const requirements = await stuf.uploadRequirements();
      const metadata = buildMetadata(requirements);
      // The conditions were followed: the first IP option in display order is third-party, which requires a licence.
      expect(metadata).toMatchObject({ ipOwnership: 'third-party', license: expect.any(String), personalData: true, dpiaReference: 'xxx' });
      const upload = uploaded(
        await stuf.createUpload({ files: [buildFile(requirements)], metadata, legalDeclarationVersion: requirements.legalDeclaration.acknowledgementRequired ? requirements.legalDeclaration.version : null }),
      );
      expect(upload.metadata).toEqual(metadata);
    });

    it('lists the enabled fields in order with their kinds, rules and options in display order', async () => {
      const { fields } = await stuf.uploadRequirements();
      expect(fields.map((field) => [field.key, field.kind, field.category])).toEqual([
        ['fileType', 'SINGLE_CHOICE', true],
        ['collection', 'FREE_TEXT', true],
        ['ipOwnership', 'SINGLE_CHOICE', true],
        ['license', 'SINGLE_CHOICE', true],
        ['formats', 'MULTIPLE_CHOICE', false],
        ['collectedOn', 'DATE', false],
        ['personalData', 'YES_NO', false],
        ['dpiaReference', 'FREE_TEXT', false],
      ]);
      const byKey = Object.fromEntries(fields.map((field) => [field.key, field]));
      expect(byKey.ipOwnership!.options.map((option) => [option.value, option.displayOrder])).toEqual([['third-party', 0], ['own', 1], ['public', 2]]);
      expect(byKey.ipOwnership!.options[0]!.description).toBe('Someone else owns it: say under which licence.');
      expect(byKey.ipOwnership!.dontKnow).toEqual({ label: "Don't know", explanationRequired: true });
      expect(byKey.fileType!.other).toEqual({ label: 'Other (specify)', explanationRequired: true });
      expect(byKey.fileType!.options.find((option) => option.default)?.value).toBe('dataset');
      expect(byKey.license!.requiredWhen).toEqual([{ field: 'ipOwnership', values: ['third-party'] }]);
      expect(byKey.dpiaReference!.requiredWhen).toEqual([{ field: 'personalData', values: [true] }]);
      expect(byKey.collection!.text).toEqual({ minLength: 5, maxLength: 20, pattern: null, patternDescription: null });
    });

    it('gives the limits in force (the server\'s, narrowed by the config) and the allowed types', async () => {
      const { limits, projectName } = await stuf.uploadRequirements();
      expect(projectName).toBe('Requirements');
      expect(limits).toEqual({ maxFileSizeBytes: 4096, maxFilesPerUpload: 7, maxMetadataBytes: 65536, allowedExtensions: ['csv', 'txt'], allowedMimeTypes: ['text/*'] });
    });

    it('gives the legal declaration text and version', async () => {
      const { legalDeclaration } = await stuf.uploadRequirements();
      expect(legalDeclaration).toEqual(everyKindMetadataConfig().legalDeclaration);
    });
  });
}
