import { randomBytes } from 'node:crypto';
import type { JsonStore } from '../../storage/json-store.js';
import { isPreconditionFailed } from '../../storage/errors.js';
import { SERVER_SECRETS_KEY } from '../../storage/keys.js';
import type { Actor } from '../journal/documents.js';
import { serverSecretsSchema, type ServerSecrets } from './documents.js';
import { bearerToken, generateToken, hashToken, sameDigest } from './tokens.js';

/** The authenticated caller of one request. */
export interface Viewer {
  actor: Actor;
  role: 'admin';
}

export type Authentication =
  | { kind: 'anonymous' }
  | { kind: 'authenticated'; viewer: Viewer }
  | { kind: 'rejected'; reason: string };

const BOOTSTRAP_ADMIN: Viewer = { actor: { id: 'bootstrap-admin', kind: 'admin-token' }, role: 'admin' };

/** Bootstrap admin-token authentication (participants and sign-in come with the users domain). */
export class AuthService {
  private constructor(
    private readonly adminTokenSha256: string,
    readonly urlSigningKey: Buffer,
  ) {}

  /**
   * Loads (or on first start creates) the server secrets. When no STUF_ADMIN_TOKEN is configured and none exists
   * yet, a token is generated, only its hash is stored, and the token is returned once as `generatedAdminToken`.
   */
  static async start(store: JsonStore, options: { adminToken?: string; urlSigningSecret?: string }): Promise<{ auth: AuthService; generatedAdminToken?: string }> {
    let generatedAdminToken: string | undefined;
    const needsStoredToken = options.adminToken === undefined;
    let secrets = (await store.readIfExists(SERVER_SECRETS_KEY, serverSecretsSchema))?.value;
    if (!secrets || (needsStoredToken && secrets.adminTokenSha256 === null)) {
      const candidate = needsStoredToken ? generateToken('stuf_admin') : undefined;
      try {
        secrets = (
          await store.update(
            SERVER_SECRETS_KEY,
            serverSecretsSchema,
            (current) => ({
              ...current,
              revision: current.revision + 1,
              adminTokenSha256: current.adminTokenSha256 ?? (candidate ? hashToken(candidate) : null),
            }),
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
    const adminHash = options.adminToken !== undefined ? hashToken(options.adminToken) : secrets.adminTokenSha256!;
    const signingKey = options.urlSigningSecret !== undefined ? Buffer.from(options.urlSigningSecret, 'utf8') : Buffer.from(secrets.urlSigningKey, 'base64url');
    return { auth: new AuthService(adminHash, signingKey), generatedAdminToken };
  }

  /** Resolves an Authorization header to a viewer; a present but wrong token is rejected, never treated as anonymous. */
  authenticate(authorization: string | null | undefined): Authentication {
    const token = bearerToken(authorization);
    if (token === undefined) return { kind: 'anonymous' };
    if (token === null) return { kind: 'rejected', reason: 'Authorization header must be "Bearer <token>"' };
    if (sameDigest(hashToken(token), this.adminTokenSha256)) return { kind: 'authenticated', viewer: BOOTSTRAP_ADMIN };
    return { kind: 'rejected', reason: 'Invalid or expired token' };
  }
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
