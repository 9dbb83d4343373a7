import type { StufClient } from '@stuf/sdk/node';

/** The version of the legal declaration in `everyKindMetadataConfig`. */
export const LEGAL_VERSION = '2026-01';

/**
 * A metadata config with every field kind, "Other" and "Don't know" with required explanations, conditional
 * requirements and a legal declaration that must be acknowledged. The five STUF categories are kept (one disabled).
 */
/** A field as an admin sends it (loosely typed: tests also build invalid ones). */
export interface FieldInput {
  key: string;
  label: string;
  kind: string;
  enabled: boolean;
  required: boolean;
  options?: Record<string, unknown>[];
  requiredWhen?: { field: string; values: (string | boolean)[] }[];
  [setting: string]: unknown;
}

export function everyKindMetadataConfig(options: { collectionPattern?: boolean } = {}): { fields: FieldInput[]; legalDeclaration: { text: string; version: string; acknowledgementRequired: boolean } } {
  const { collectionPattern = true } = options;
  return {
    fields: [
      {
        key: 'fileType', label: 'File type', kind: 'SINGLE_CHOICE', enabled: true, required: true,
        options: [{ value: 'document', label: 'Document' }, { value: 'dataset', label: 'Data set', default: true }, { value: 'image', label: 'Image' }],
        other: { label: 'Other (specify)', explanationRequired: true },
        dontKnow: { label: "Don't know", explanationRequired: false },
      },
      {
        key: 'collection', label: 'Collection', kind: 'FREE_TEXT', enabled: true, required: true,
        text: collectionPattern
          ? { minLength: 5, maxLength: 20, pattern: '[A-Z]{3}-\\d+', patternDescription: 'a code like ABC-123' }
          : { minLength: 5, maxLength: 20 },
      },
      {
        key: 'ipOwnership', label: 'IP ownership', kind: 'SINGLE_CHOICE', enabled: true, required: true,
        options: [
          { value: 'own', label: 'My organisation', displayOrder: 2 },
          { value: 'third-party', label: 'A third party', description: 'Someone else owns it: say under which licence.', displayOrder: 1 },
          { value: 'public', label: 'Public domain', displayOrder: 3 },
        ],
        dontKnow: { label: "Don't know", explanationRequired: true },
      },
      {
        key: 'license', label: 'Licence', kind: 'SINGLE_CHOICE', enabled: true, required: false,
        options: [{ value: 'confidential', label: 'Confidential' }, { value: 'cc-by-4.0', label: 'CC BY 4.0' }],
        requiredWhen: [{ field: 'ipOwnership', values: ['third-party'] }],
      },
      { key: 'comments', label: 'Comments', kind: 'FREE_TEXT', enabled: false, required: false },
      {
        key: 'formats', label: 'Formats', kind: 'MULTIPLE_CHOICE', enabled: true, required: false,
        options: [{ value: 'csv', label: 'CSV' }, { value: 'parquet', label: 'Parquet' }, { value: 'pdf', label: 'PDF' }],
        other: { label: 'Other (specify)', explanationRequired: true },
      },
      { key: 'collectedOn', label: 'Collected on', kind: 'DATE', enabled: true, required: true },
      { key: 'personalData', label: 'Contains personal data', kind: 'YES_NO', enabled: true, required: true },
      {
        key: 'dpiaReference', label: 'DPIA reference', kind: 'FREE_TEXT', enabled: true, required: false,
        text: { minLength: 3 },
        requiredWhen: [{ field: 'personalData', values: [true] }],
      },
    ],
    legalDeclaration: { text: 'I may share these files under the project agreement.', version: LEGAL_VERSION, acknowledgementRequired: true },
  };
}

/** Metadata that `everyKindMetadataConfig()` accepts, using every kind and both conditions. */
export function validMetadata(): Record<string, unknown> {
  return {
    fileType: 'dataset',
    collection: 'ABC-123',
    ipOwnership: 'third-party',
    license: 'cc-by-4.0',
    formats: ['csv', { special: 'OTHER', explanation: 'Feather' }],
    collectedOn: '2026-03-01',
    personalData: true,
    dpiaReference: 'DPIA-7',
  };
}

/** Publishes `config` as the new metadata config (based on the current revision); fails the test otherwise. */
export async function publishMetadataConfig(stuf: StufClient, config: unknown): Promise<number> {
  const current = await stuf.metadataConfig();
  const result = await stuf.updateMetadataConfig({ revision: current.revision as number, config });
  if (result.__typename !== 'UpdateMetadataConfigPayload') throw new Error(`metadata config refused: ${JSON.stringify(result)}`);
  return result.revision;
}

/** Applies `edit` to the current facility settings and publishes them; fails the test otherwise. */
export async function editStufConfig(stuf: StufClient, edit: (config: any) => void): Promise<number> {
  const current = await stuf.stufConfig();
  const config = structuredClone(current);
  edit(config);
  const result = await stuf.updateStufConfig({ revision: current.revision as number, config });
  if (result.__typename !== 'UpdateStufConfigPayload') throw new Error(`stuf config refused: ${JSON.stringify(result)}`);
  return result.revision;
}
