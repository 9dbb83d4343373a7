import { z } from 'zod';
import { encryptedValueSchema } from '../../crypto/keyring.js';
import { actorSchema } from '../journal/documents.js';

/*
 * The two config documents. Both stay at schemaVersion 1: everything added since the first release is optional with a
 * default, so files written by older starts load unchanged (nothing is migrated or rewritten until an admin edits).
 * Stored documents are loose (unknown keys from newer replicas are kept); admin input is strict (typos are refused).
 */

/** The two documents under `config/`, by the names used in keys, history, journal and the API. */
export const CONFIG_DOCUMENTS = ['stuf_config', 'metadata_config'] as const;
export type ConfigDocumentName = (typeof CONFIG_DOCUMENTS)[number];

// --- stuf_config.json ---------------------------------------------------------------------------------------------

/** Extensions are kept lowercase without the leading dot (`pdf`, `tar.gz`), whatever the admin typed. */
const extension = z
  .string()
  .trim()
  .transform((value) => value.replace(/^\./, '').toLowerCase())
  .pipe(z.string().regex(/^[a-z0-9][a-z0-9+_-]*(\.[a-z0-9+_-]+)*$/, 'Not a file extension (e.g. "pdf" or "tar.gz")'));

const mimeType = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9!#$&^_.+-]*\/(\*|[a-z0-9][a-z0-9!#$&^_.+-]*)$/, 'Not a MIME type or pattern (e.g. "application/pdf" or "image/*")');

const httpUrl = z.url({ protocol: /^https?$/, error: 'Must be an http(s) URL' });

const uploadLimitsShape = {
  /** Null: the server's STUF_MAX_FILE_SIZE applies. */
  maxFileSizeBytes: z.number().int().positive().nullable(),
  /** Null: the server's STUF_MAX_FILES applies. */
  maxFilesPerUpload: z.number().int().positive().nullable(),
  /** Empty: every extension. */
  allowedExtensions: z.array(extension),
  /** Empty: every type. `type/*` matches a whole family. */
  allowedMimeTypes: z.array(mimeType),
  visibleToAllParticipants: z.boolean(),
};

const zulipShape = {
  enabled: z.boolean().default(true),
  /** The Zulip server, e.g. `https://example.zulipchat.com`. */
  siteUrl: httpUrl,
  botEmail: z.email(),
  stream: z.string().trim().min(1),
  topic: z.string().trim().min(1).max(60),
};

const webhookShape = {
  enabled: z.boolean().default(true),
  url: httpUrl,
};

/** `config/stuf_config.json`: the facility's settings. Secrets are stored encrypted with the keyring (crypto/keyring.ts). */
export const stufConfigSchema = z.looseObject({
  schemaVersion: z.literal(1),
  revision: z.number().int().positive(),
  projectName: z.string(),
  description: z.string(),
  uploads: z.looseObject(uploadLimitsShape),
  notifications: z.looseObject({
    zulip: z.looseObject({ ...zulipShape, apiKey: encryptedValueSchema.nullable() }).nullable().default(null),
    webhook: z.looseObject({ ...webhookShape, secret: encryptedValueSchema.nullable() }).nullable().default(null),
  }),
});
export type StufConfig = z.infer<typeof stufConfigSchema>;

/**
 * What an admin sends to `updateStufConfig`: the document without server-managed fields, secrets in plain text.
 * An omitted (or null) `apiKey` / `secret` keeps the stored one; `apiKeySet` / `secretSet` from a read are ignored, and
 * so are `schemaVersion` / `revision` (the mutation's `revision` argument is what counts), so a read document can be
 * edited and sent back as it is.
 */
export const stufConfigInputSchema = z.strictObject({
  schemaVersion: z.unknown().optional(),
  revision: z.unknown().optional(),
  projectName: z.string().trim().min(1).max(200),
  description: z.string().max(5_000),
  uploads: z.strictObject(uploadLimitsShape),
  notifications: z.strictObject({
    zulip: z
      .strictObject({ ...zulipShape, apiKey: z.string().min(1).nullable().optional(), apiKeySet: z.boolean().optional() })
      .nullable()
      .default(null),
    webhook: z
      .strictObject({
        ...webhookShape,
        secret: z.string().min(16, 'Use a secret of at least 16 characters').nullable().optional(),
        secretSet: z.boolean().optional(),
      })
      .nullable()
      .default(null),
  }),
});
export type StufConfigInput = z.infer<typeof stufConfigInputSchema>;

// --- metadata_config.json -----------------------------------------------------------------------------------------

export const FIELD_KINDS = ['SINGLE_CHOICE', 'MULTIPLE_CHOICE', 'FREE_TEXT', 'DATE', 'YES_NO'] as const;
export type FieldKind = (typeof FIELD_KINDS)[number];
export const CHOICE_KINDS: readonly FieldKind[] = ['SINGLE_CHOICE', 'MULTIPLE_CHOICE'];

/** The seed's governance categories: always present in the config (an admin disables them, never removes them). */
export const CATEGORY_KEYS = ['fileType', 'collection', 'ipOwnership', 'license', 'comments'] as const;

const optionSchema = z.looseObject({
  value: z.string().trim().min(1).max(200),
  label: z.string().max(500),
  description: z.string().max(2_000).default(''),
  /** Preselected in forms. The server never fills in defaults: an unanswered field is unanswered. */
  default: z.boolean().default(false),
  /** Lower first; options without one keep their position after those with one. */
  displayOrder: z.number().int().nullable().default(null),
});
export type MetadataOption = z.infer<typeof optionSchema>;

/** "Other (specify)" and "Don't know": answers outside the options, each optionally needing an explanation. */
const specialAnswerRuleSchema = z.looseObject({
  label: z.string().max(200),
  explanationRequired: z.boolean().default(false),
});
export type SpecialAnswerRule = z.infer<typeof specialAnswerRuleSchema>;

const textRulesSchema = z.looseObject({
  minLength: z.number().int().nonnegative().nullable().default(null),
  maxLength: z.number().int().positive().nullable().default(null),
  /** A regular expression (JavaScript, `u` flag) the whole answer must match. */
  pattern: z.string().max(1_000).nullable().default(null),
  /** Shown to people when the pattern does not match, e.g. "a project code like ABC-123". */
  patternDescription: z.string().max(500).nullable().default(null),
});
export type TextRules = z.infer<typeof textRulesSchema>;

/** "This field is required when field `field` has one of `values`" (options of a choice field, or true/false). */
const conditionSchema = z.looseObject({
  field: z.string(),
  values: z.array(z.union([z.string(), z.boolean()])).min(1),
});
export type FieldCondition = z.infer<typeof conditionSchema>;

const fieldKey = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'Use letters, digits and _ (starting with a letter, at most 64)');

const metadataFieldSchema = z.looseObject({
  key: fieldKey,
  label: z.string().max(200),
  helpText: z.string().max(5_000).default(''),
  kind: z.enum(FIELD_KINDS),
  enabled: z.boolean(),
  required: z.boolean(),
  options: z.array(optionSchema).default([]),
  other: specialAnswerRuleSchema.nullable().default(null),
  dontKnow: specialAnswerRuleSchema.nullable().default(null),
  text: textRulesSchema.nullable().default(null),
  /** Required when any of these holds (in addition to `required`, which makes it always required). */
  requiredWhen: z.array(conditionSchema).default([]),
});
export type MetadataField = z.infer<typeof metadataFieldSchema>;

const legalDeclarationSchema = z.looseObject({
  text: z.string().max(100_000),
  version: z.string().max(100),
  acknowledgementRequired: z.boolean(),
});

/** `config/metadata_config.json`: what participants declare about each upload (the seed's governance categories). */
export const metadataConfigSchema = z.looseObject({
  schemaVersion: z.literal(1),
  revision: z.number().int().positive(),
  fields: z.array(metadataFieldSchema),
  legalDeclaration: legalDeclarationSchema,
});
export type MetadataConfig = z.infer<typeof metadataConfigSchema>;

/** What an admin sends to `updateMetadataConfig`; `schemaVersion` / `revision` inside it are ignored. */
export const metadataConfigInputSchema = z.strictObject({
  schemaVersion: z.unknown().optional(),
  revision: z.unknown().optional(),
  fields: z.array(
    z.strictObject({
      ...metadataFieldSchema.shape,
      options: z.array(z.strictObject(optionSchema.shape)).default([]),
      other: z.strictObject(specialAnswerRuleSchema.shape).nullable().default(null),
      dontKnow: z.strictObject(specialAnswerRuleSchema.shape).nullable().default(null),
      text: z.strictObject(textRulesSchema.shape).nullable().default(null),
      requiredWhen: z.array(z.strictObject(conditionSchema.shape)).default([]),
    }),
  ),
  legalDeclaration: z.strictObject(legalDeclarationSchema.shape),
});
export type MetadataConfigInput = z.infer<typeof metadataConfigInputSchema>;

// --- config/history/ ----------------------------------------------------------------------------------------------

/** `config/history/<document>/<revision>.json`: one published version, written once, never overwritten. */
export const configVersionSchema = z.object({
  schemaVersion: z.literal(1),
  document: z.enum(CONFIG_DOCUMENTS),
  revision: z.number().int().positive(),
  publishedAt: z.iso.datetime(),
  publishedBy: actorSchema,
  /** The document as published (secrets still encrypted). */
  config: z.record(z.string(), z.unknown()),
});
export type ConfigVersion = z.infer<typeof configVersionSchema>;

// --- defaults -----------------------------------------------------------------------------------------------------

/** What a fresh facility starts with: permissive limits from the environment, no notifications. */
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
  // Parsed, so the file written on first start carries every default the schema fills in.
  return metadataConfigSchema.parse({
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
  });
}
