import { z } from 'zod';

/** `config/stuf_config.json`: the facility's settings. Later issues extend it; unknown keys are kept, not dropped. */
export const stufConfigSchema = z.looseObject({
  schemaVersion: z.literal(1),
  revision: z.number().int().positive(),
  projectName: z.string(),
  description: z.string(),
  uploads: z.looseObject({
    /** Null: the server's STUF_MAX_FILE_SIZE applies. */
    maxFileSizeBytes: z.number().int().positive().nullable(),
    /** Null: the server's STUF_MAX_FILES applies. */
    maxFilesPerUpload: z.number().int().positive().nullable(),
    allowedExtensions: z.array(z.string()),
    allowedMimeTypes: z.array(z.string()),
    visibleToAllParticipants: z.boolean(),
  }),
  notifications: z.looseObject({
    zulip: z.unknown().nullable(),
    webhook: z.unknown().nullable(),
  }),
});
export type StufConfig = z.infer<typeof stufConfigSchema>;

const metadataFieldSchema = z.looseObject({
  key: z.string(),
  label: z.string(),
  helpText: z.string(),
  kind: z.enum(['SINGLE_CHOICE', 'MULTIPLE_CHOICE', 'FREE_TEXT', 'DATE', 'YES_NO']),
  enabled: z.boolean(),
  required: z.boolean(),
  options: z.array(z.looseObject({ value: z.string(), label: z.string() })),
});

/** `config/metadata_config.json`: what participants declare about each upload (the seed's governance categories). */
export const metadataConfigSchema = z.looseObject({
  schemaVersion: z.literal(1),
  revision: z.number().int().positive(),
  fields: z.array(metadataFieldSchema),
  legalDeclaration: z.looseObject({
    text: z.string(),
    version: z.string(),
    acknowledgementRequired: z.boolean(),
  }),
});
export type MetadataConfig = z.infer<typeof metadataConfigSchema>;

/** What a fresh facility starts with: permissive limits from the environment, the seed's five categories, optional. */
export function defaultStufConfig(): StufConfig {
  return {
    schemaVersion: 1,
    revision: 1,
    projectName: 'STUF',
    description: 'Secure Trusted Upload Facility',
    uploads: {
      maxFileSizeBytes: null,
      maxFilesPerUpload: null,
      allowedExtensions: [],
      allowedMimeTypes: [],
      visibleToAllParticipants: false,
    },
    notifications: { zulip: null, webhook: null },
  };
}

const choice = (value: string, label: string) => ({ value, label });

/** The seed's categories (file type, collection, IP ownership, licence, comments), enabled and optional. */
export function defaultMetadataConfig(): MetadataConfig {
  return {
    schemaVersion: 1,
    revision: 1,
    fields: [
      {
        key: 'fileType', label: 'File type', helpText: 'What kind of material this is.', kind: 'SINGLE_CHOICE', enabled: true, required: false,
        options: [choice('document', 'Document'), choice('dataset', 'Data set'), choice('image', 'Image'), choice('source-code', 'Source code'), choice('other', 'Other')],
      },
      { key: 'collection', label: 'Collection', helpText: 'The collection this upload belongs to.', kind: 'FREE_TEXT', enabled: true, required: false, options: [] },
      {
        key: 'ipOwnership', label: 'IP ownership', helpText: 'Who owns the intellectual property.', kind: 'SINGLE_CHOICE', enabled: true, required: false,
        options: [choice('own', 'My organisation'), choice('third-party', 'A third party'), choice('public', 'Public domain')],
      },
      {
        key: 'license', label: 'Licence', helpText: 'Under which licence the material is shared.', kind: 'SINGLE_CHOICE', enabled: true, required: false,
        options: [choice('confidential', 'Confidential, project use only'), choice('cc-by-4.0', 'CC BY 4.0'), choice('proprietary', 'Proprietary')],
      },
      { key: 'comments', label: 'Comments', helpText: 'Anything the Trust Architect should know.', kind: 'FREE_TEXT', enabled: true, required: false, options: [] },
    ],
    legalDeclaration: { text: '', version: '0', acknowledgementRequired: false },
  };
}
