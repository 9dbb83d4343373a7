import type DataLoader from 'dataloader';
import type { Logger } from './logger.js';
import type { ClientInfo, Viewer } from './domains/auth/service.js';
import { RequestAccess } from './domains/auth/request-access.js';
import type { Services } from './services.js';
import type { UploadDocument } from './domains/uploads/documents.js';
import { createUploadLoader } from './domains/uploads/loaders.js';
import type { UserRecord } from './domains/users/documents.js';
import { createUserLoader } from './domains/users/loaders.js';

/** Per-request context: who is asking, the shared services, and loaders that live exactly as long as the request. */
export interface Context {
  requestId: string;
  viewer?: Viewer;
  /** The caller's address and user agent (access history, per-client limits). */
  client: ClientInfo;
  logger: Logger;
  services: Services;
  /** Authorization facts of this request (memoized per request) and activity recording. */
  access: RequestAccess;
  loaders: {
    upload: DataLoader<string, UploadDocument | null>;
    user: DataLoader<string, UserRecord | null>;
  };
}

/** Builds a request's context; loaders are new per request so nothing cached leaks between viewers. */
export function createContext(input: { requestId: string; viewer?: Viewer; client: ClientInfo; logger: Logger; services: Services }): Context {
  return {
    ...input,
    access: new RequestAccess(input.viewer, input.client, input.services),
    loaders: {
      upload: createUploadLoader(input.services.uploads),
      user: createUserLoader(input.services.users),
    },
  };
}
