import type { Env } from './env.js';
import type { Logger } from './logger.js';
import type { StorageDriver } from './storage/driver.js';
import { JsonStore } from './storage/json-store.js';
import { AuthService } from './domains/auth/service.js';
import { ConfigService } from './domains/config/service.js';
import { JournalService } from './domains/journal/service.js';
import { UploadsCacheService } from './domains/uploads/cache.js';
import { DownloadLinks } from './domains/uploads/download-links.js';
import { UploadsService } from './domains/uploads/service.js';

/** The long-lived services, one set per process, shared by all requests. */
export interface Services {
  storageName: string;
  auth: AuthService;
  config: ConfigService;
  journal: JournalService;
  uploads: UploadsService;
  downloadLinks: DownloadLinks;
}

/** Wires services on a storage driver and prepares the bucket (default config, secrets) on first start. */
export async function createServices(input: { env: Env; driver: StorageDriver; logger: Logger; publicUrl: () => string }): Promise<{ services: Services; generatedAdminToken?: string }> {
  const { env, driver, logger } = input;
  const store = new JsonStore(driver, { onCorrupt: (key, error) => logger.error({ key, err: error }, 'corrupt JSON document') });
  const config = new ConfigService(store);
  const { created } = await config.ensureDefaults();
  if (created.length > 0) logger.info({ created }, 'created default configuration');
  const { auth, generatedAdminToken } = await AuthService.start(store, { adminToken: env.STUF_ADMIN_TOKEN, urlSigningSecret: env.STUF_URL_SIGNING_SECRET });
  const journal = new JournalService(driver, store);
  const cache = new UploadsCacheService(driver, store, journal, logger);
  const uploads = new UploadsService(driver, store, journal, config, cache, {
    maxFileSize: env.STUF_MAX_FILE_SIZE,
    maxFiles: env.STUF_MAX_FILES,
    maxMetadataBytes: env.STUF_MAX_METADATA_BYTES,
  }, logger);
  const downloadLinks = new DownloadLinks(auth.urlSigningKey, input.publicUrl, env.STUF_DOWNLOAD_URL_TTL_SECONDS, driver);
  return { services: { storageName: driver.name, auth, config, journal, uploads, downloadLinks }, generatedAdminToken };
}
