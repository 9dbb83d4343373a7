import DataLoader from 'dataloader';
import type { UploadDocument } from './documents.js';
import type { UploadsService } from './service.js';

/** Batches `upload(id)` lookups of one request into one cache read. */
export function createUploadLoader(uploads: UploadsService): DataLoader<string, UploadDocument | null> {
  return new DataLoader((ids) => uploads.getMany(ids));
}
