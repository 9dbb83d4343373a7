import type { Env } from './env.js';
import type { Logger } from './logger.js';
import type { StorageDriver } from './storage/driver.js';
import { JsonStore } from './storage/json-store.js';
import { ApiTokensService } from './domains/auth/api-tokens.js';
import { CodeHasher } from './domains/auth/codes.js';
import { createSenders } from './domains/auth/delivery/create-senders.js';
import { loadServerSecrets } from './domains/auth/server-secrets.js';
import { AuthService } from './domains/auth/service.js';
import { SessionTokens } from './domains/auth/session-tokens.js';
import { SignInService } from './domains/auth/sign-in.js';
import { ConfigService } from './domains/config/service.js';
import { JournalService } from './domains/journal/service.js';
import { NotificationDispatcher } from './domains/notifications/dispatcher.js';
import { UploadsCacheService } from './domains/uploads/cache.js';
import { DownloadLinks } from './domains/uploads/download-links.js';
import { UploadsService } from './domains/uploads/service.js';
import { UsersCacheService } from './domains/users/cache.js';
import { ContactCipher } from './domains/users/contact.js';
import { KeyRotationService } from './domains/users/key-rotation.js';
import { UsersService } from './domains/users/service.js';

/** The long-lived services, one set per process, shared by all requests. */
export interface Services {
  storageName: string;
  auth: AuthService;
  apiTokens: ApiTokensService;
  signIn: SignInService;
  config: ConfigService;
  journal: JournalService;
  users: UsersService;
  keyRotation: KeyRotationService;
  uploads: UploadsService;
  downloadLinks: DownloadLinks;
  notifications: NotificationDispatcher;
  /** Stops config revalidation, waits for background work (sign-in deliveries, notifications) and closes connections. */
  close(): Promise<void>;
}

/** Wires services on a storage driver and prepares the bucket (default config, secrets, bootstrap admin) on first start. */
export async function createServices(input: { env: Env; driver: StorageDriver; logger: Logger; publicUrl: () => string }): Promise<{ services: Services; generatedAdminToken?: string }> {
  const { env, driver, logger } = input;
  const store = new JsonStore(driver, { onCorrupt: (key, error) => logger.error({ key, err: error }, 'corrupt JSON document') });
  const secrets = await loadServerSecrets(store, {
    adminToken: env.STUF_ADMIN_TOKEN,
    urlSigningSecret: env.STUF_URL_SIGNING_SECRET,
    sessionSecret: env.STUF_SESSION_SECRET,
    encryptionKeys: env.STUF_ENCRYPTION_KEYS,
  });
  if (secrets.usesDevelopmentKey) logger.warn('contact data is encrypted with a development key kept in the bucket; set STUF_ENCRYPTION_KEYS in production');
  const journal = new JournalService(driver, store);
  // Config secrets (Zulip API key, webhook secret) are encrypted with the same keyring as contact data.
  const config = new ConfigService(store, { logger, journal, secrets: secrets.keyring, refreshMs: env.STUF_CONFIG_REFRESH_MS });
  const { created } = await config.ensureDefaults();
  if (created.length > 0) logger.info({ created }, 'created default configuration');
  await config.start();
  const users = new UsersService(store, journal, new UsersCacheService(driver, store, journal, logger), new ContactCipher(secrets.keyring), logger);
  await users.ensureBootstrapAdmin();
  // Authentication reads users.json on every request: have it (rebuilt if missing) before the first one.
  await users.directory();
  const sessions = new SessionTokens(secrets.sessionKey, env.STUF_SESSION_TTL_SECONDS, env.STUF_SIGN_IN_CODE_TTL_SECONDS);
  const apiTokens = new ApiTokensService(users);
  const auth = new AuthService(secrets.adminTokenSha256, users, sessions);
  const senders = createSenders(env, logger);
  const signIn = new SignInService(store, users, sessions, new CodeHasher(secrets.sessionKey), senders, journal, config, {
    codeTtlSeconds: env.STUF_SIGN_IN_CODE_TTL_SECONDS,
    maxFailures: env.STUF_SIGN_IN_MAX_FAILURES,
    lockoutSeconds: env.STUF_SIGN_IN_LOCKOUT_SECONDS,
    emailLimit: env.STUF_SIGN_IN_EMAIL_LIMIT,
    clientLimit: env.STUF_SIGN_IN_CLIENT_LIMIT,
    windowSeconds: env.STUF_SIGN_IN_WINDOW_SECONDS,
  }, logger);
  const notifications = new NotificationDispatcher(
    { secrets: secrets.keyring, maxAttempts: env.STUF_NOTIFY_MAX_ATTEMPTS, baseDelayMs: env.STUF_NOTIFY_RETRY_BASE_MS, timeoutMs: env.STUF_NOTIFY_TIMEOUT_MS },
    logger.child({ component: 'notifications' }),
  );
  const cache = new UploadsCacheService(driver, store, journal, logger);
  const uploads = new UploadsService(driver, store, journal, config, cache, {
    maxFileSize: env.STUF_MAX_FILE_SIZE,
    maxFiles: env.STUF_MAX_FILES,
    maxMetadataBytes: env.STUF_MAX_METADATA_BYTES,
  }, logger, notifications);
  const downloadLinks = new DownloadLinks(secrets.urlSigningKey, input.publicUrl, env.STUF_DOWNLOAD_URL_TTL_SECONDS, driver);
  const keyRotation = new KeyRotationService(driver, store, users, logger, config);
  const close = async () => {
    config.stop();
    // Notifications of uploads answered just before shutdown get the grace period, then are abandoned (logged).
    await Promise.all([signIn.drain(), notifications.drain(env.STUF_SHUTDOWN_TIMEOUT_MS)]);
    await Promise.all([senders.email.close?.(), senders.sms.close?.()]);
  };
  return {
    services: { storageName: driver.name, auth, apiTokens, signIn, config, journal, users, keyRotation, uploads, downloadLinks, notifications, close },
    generatedAdminToken: secrets.generatedAdminToken,
  };
}
