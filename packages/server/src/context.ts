import type DataLoader from 'dataloader';
import type { Logger } from './logger.js';
import type { Viewer } from './domains/auth/service.js';
import type { Services } from './services.js';
import type { UploadDocument } from './domains/uploads/documents.js';
import { createUploadLoader } from './domains/uploads/loaders.js';

/** Per-request context: who is asking, the shared services, and loaders that live exactly as long as the request. */
export interface Context {
  requestId: string;
  viewer?: Viewer;
  logger: Logger;
  services: Services;
  loaders: {
    upload: DataLoader<string, UploadDocument | null>;
  };
}

/** Builds a request's context; loaders are new per request so nothing cached leaks between viewers. */
export function createContext(input: { requestId: string; viewer?: Viewer; logger: Logger; services: Services }): Context {
  return {
    ...input,
    loaders: {
      upload: createUploadLoader(input.services.uploads),
    },
  };
}
