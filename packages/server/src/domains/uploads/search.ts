import type { UploadDocument } from './documents.js';

export interface UploadFilter {
  uploaderId?: string | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
}

/** True when the upload passes the filter and, if given, `search` occurs (case-insensitively) in a file name or metadata value. */
export function matchesFilter(upload: UploadDocument, filter?: UploadFilter | null, search?: string | null): boolean {
  if (filter?.uploaderId && upload.uploader.id !== filter.uploaderId) return false;
  const createdAt = Date.parse(upload.createdAt);
  if (filter?.createdAfter && createdAt < filter.createdAfter.getTime()) return false;
  if (filter?.createdBefore && createdAt >= filter.createdBefore.getTime()) return false;
  const needle = search?.trim().normalize('NFC').toLocaleLowerCase();
  if (!needle) return true;
  return searchableTexts(upload).some((text) => text.normalize('NFC').toLocaleLowerCase().includes(needle));
}

function searchableTexts(upload: UploadDocument): string[] {
  return [...upload.files.map((file) => file.name), ...leafValues(upload.metadata)];
}

function leafValues(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap(leafValues);
  if (typeof value === 'object') return Object.values(value).flatMap(leafValues);
  return [String(value)];
}
