import type { Env } from './env.js';
import type { Logger } from './logger.js';
import type { StorageDriver } from './storage/driver.js';
import { JsonStore } from './storage/json-store.js';
import { SecretBox } from './crypto/secret-box.js';
import { AuthService } from './domains/auth/service.js';
import { ConfigService } from './domains/config/service.js';
import { JournalService } from './domains/journal/service.js';
import { NotificationDispatcher } from './domains/notifications/dispatcher.js';
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
  notifications: NotificationDispatcher;
}

/** Wires services on a storage driver and prepares the bucket (default config, secrets) on first start. */
export async function createServices(input: { env: Env; driver: StorageDriver; logger: Logger; publicUrl: () => string }): Promise<{ services: Services; generatedAdminToken?: string }> {
  const { env, driver, logger } = input;
  const store = new JsonStore(driver, { onCorrupt: (key, error) => logger.error({ key, err: error }, 'corrupt JSON document') });
  const journal = new JournalService(driver, store);
  const secrets = env.STUF_CONFIG_ENCRYPTION_KEY ? SecretBox.fromSecret(env.STUF_CONFIG_ENCRYPTION_KEY) : undefined;
  const config = new ConfigService(store, { logger, journal, secrets, refreshMs: env.STUF_CONFIG_REFRESH_MS });
  const { created } = await config.ensureDefaults();
  if (created.length > 0) logger.info({ created }, 'created default configuration');
  await config.start();
  const { auth, generatedAdminToken } = await AuthService.start(store, { adminToken: env.STUF_ADMIN_TOKEN, urlSigningSecret: env.STUF_URL_SIGNING_SECRET });
  const notifications = new NotificationDispatcher(
    { secrets, maxAttempts: env.STUF_NOTIFY_MAX_ATTEMPTS, baseDelayMs: env.STUF_NOTIFY_RETRY_BASE_MS, timeoutMs: env.STUF_NOTIFY_TIMEOUT_MS },
    logger.child({ component: 'notifications' }),
  );
  const cache = new UploadsCacheService(driver, store, journal, logger);
  const uploads = new UploadsService(driver, store, journal, config, cache, {
    maxFileSize: env.STUF_MAX_FILE_SIZE,
    maxFiles: env.STUF_MAX_FILES,
    maxMetadataBytes: env.STUF_MAX_METADATA_BYTES,
  }, logger, notifications);
  const downloadLinks = new DownloadLinks(auth.urlSigningKey, input.publicUrl, env.STUF_DOWNLOAD_URL_TTL_SECONDS, driver);
  return { services: { storageName: driver.name, auth, config, journal, uploads, downloadLinks, notifications }, generatedAdminToken };
}
