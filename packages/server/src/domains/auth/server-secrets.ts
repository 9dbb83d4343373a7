import { randomBytes } from 'node:crypto';
import type { JsonStore } from '../../storage/json-store.js';
import { isPreconditionFailed } from '../../storage/errors.js';
import { SERVER_SECRETS_KEY } from '../../storage/keys.js';
import { generateKey, Keyring, type KeyringKey } from '../../crypto/keyring.js';
import { serverSecretsSchema, type ServerSecrets } from './documents.js';
import { generateToken, hashToken } from './tokens.js';

/** Id of the contact-data key generated for development when STUF_ENCRYPTION_KEYS is not set. */
export const DEVELOPMENT_KEY_ID = 'bucket-dev-1';

export interface SecretOptions {
  adminToken?: string;
  urlSigningSecret?: string;
  sessionSecret?: string;
  /** STUF_ENCRYPTION_KEYS, parsed; newest first. */
  encryptionKeys?: KeyringKey[];
}

export interface LoadedSecrets {
  adminTokenSha256: string;
  urlSigningKey: Buffer;
  sessionKey: Buffer;
  keyring: Keyring;
  /** True when contact data is encrypted with the key kept in the bucket (no STUF_ENCRYPTION_KEYS). */
  usesDevelopmentKey: boolean;
  /** A bootstrap admin token generated on this start (shown once), if one was. */
  generatedAdminToken?: string;
}

/**
 * Loads (or on first start creates) `config/server_secrets.json` and combines it with the configured secrets. When
 * no admin token hash is stored yet, the configured STUF_ADMIN_TOKEN's hash is recorded — so a replica started
 * without it accepts the same token instead of minting another — or else a token is generated and only its hash
 * stored; missing
 * generated keys are added once, create-only / through `update()`, so replicas starting together agree.
 */
export async function loadServerSecrets(store: JsonStore, options: SecretOptions): Promise<LoadedSecrets> {
  const configuredTokenHash = options.adminToken !== undefined ? hashToken(options.adminToken) : undefined;
  const needsDevKey = options.encryptionKeys === undefined;
  let secrets = (await store.readIfExists(SERVER_SECRETS_KEY, serverSecretsSchema))?.value;
  let generatedAdminToken: string | undefined;
  const incomplete = (current: ServerSecrets | undefined) =>
    !current || current.adminTokenSha256 === null || !current.sessionKey || (needsDevKey && !current.encryptionKeys?.length);
  if (incomplete(secrets)) {
    const candidate = configuredTokenHash ? undefined : generateToken('stuf_admin');
    const sessionKey = randomBytes(32).toString('base64url');
    const devKey = generateKey(DEVELOPMENT_KEY_ID);
    try {
      secrets = (
        await store.update(
          SERVER_SECRETS_KEY,
          serverSecretsSchema,
          (current) =>
            incomplete(current)
              ? {
                  ...current,
                  revision: current.revision + 1,
                  adminTokenSha256: current.adminTokenSha256 ?? configuredTokenHash ?? hashToken(candidate!),
                  sessionKey: current.sessionKey ?? sessionKey,
                  ...(needsDevKey && !current.encryptionKeys?.length ? { encryptionKeys: [{ id: devKey.id, key: devKey.key.toString('base64url') }] } : {}),
                }
              : current,
          { createIfMissing: () => freshSecrets() },
        )
      ).value;
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
      secrets = (await store.read(SERVER_SECRETS_KEY, serverSecretsSchema)).value;
    }
    // Another replica may have won the race with its own token; only announce ours if it is the stored one.
    if (candidate && secrets.adminTokenSha256 === hashToken(candidate)) generatedAdminToken = candidate;
  }
  const stored = secrets!;
  const storedKeys = (stored.encryptionKeys ?? []).map((key) => ({ id: key.id, key: Buffer.from(key.key, 'base64url') }));
  const configured = options.encryptionKeys ?? [];
  // Configured keys first (the newest encrypts); stored development keys stay readable until rotated away.
  const ring = [...configured, ...storedKeys.filter((key) => !configured.some((c) => c.id === key.id))];
  return {
    adminTokenSha256: configuredTokenHash ?? stored.adminTokenSha256!,
    urlSigningKey: options.urlSigningSecret !== undefined ? Buffer.from(options.urlSigningSecret, 'utf8') : Buffer.from(stored.urlSigningKey, 'base64url'),
    sessionKey: options.sessionSecret !== undefined ? Buffer.from(options.sessionSecret, 'utf8') : Buffer.from(stored.sessionKey!, 'base64url'),
    keyring: new Keyring(ring),
    usesDevelopmentKey: configured.length === 0,
    generatedAdminToken,
  };
}

function freshSecrets(): ServerSecrets {
  return {
    schemaVersion: 1,
    revision: 0,
    urlSigningKey: randomBytes(32).toString('base64url'),
    adminTokenSha256: null,
    createdAt: new Date().toISOString(),
  };
}
