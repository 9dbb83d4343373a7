import { z } from 'zod';
import { actorSchema } from '../journal/documents.js';

export const uploadFileSchema = z.object({
  /** The name the uploader gave (display and download). */
  name: z.string(),
  /** The safe name used in the key `uploads/<id>/data/<storedName>`. */
  storedName: z.string(),
  size: z.number().int().nonnegative(),
  contentType: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type UploadFileDocument = z.infer<typeof uploadFileSchema>;

/** Governance metadata: a JSON object with string keys. Its rules come from config/metadata_config.json. */
export const uploadMetadataSchema = z.record(z.string(), z.json());
export type UploadMetadata = z.infer<typeof uploadMetadataSchema>;

/** `uploads/<id>/metadata.json`, the source of truth for one upload. */
export const uploadDocumentSchema = z.object({
  schemaVersion: z.literal(1),
  id: z.string(),
  revision: z.number().int().positive(),
  createdAt: z.iso.datetime(),
  uploader: actorSchema,
  files: z.array(uploadFileSchema).min(1),
  metadata: uploadMetadataSchema,
  /** The legal declaration the uploader acknowledged (its version in force at upload time); absent when none was. */
  legalDeclaration: z.object({ version: z.string(), acknowledgedAt: z.iso.datetime() }).optional(),
});
export type UploadDocument = z.infer<typeof uploadDocumentSchema>;

/**
 * `uploads.json`: every upload's document, newest first, derived from the per-item files and rebuildable at any time.
 * It carries no generation time, so regenerating it from the same files gives the same bytes.
 */
export const uploadsCacheSchema = z.object({
  schemaVersion: z.literal(1),
  uploads: z.array(uploadDocumentSchema),
});
export type UploadsCache = z.infer<typeof uploadsCacheSchema>;
