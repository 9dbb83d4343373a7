import type { Actor } from '../journal/documents.js';
import { canAct, type Role, type UserRecord } from '../users/documents.js';
import { BOOTSTRAP_ADMIN_ID, type UsersService } from '../users/service.js';
import type { SessionTokens } from './session-tokens.js';
import { API_TOKEN_PREFIX, bearerToken, hashToken, sameDigest } from './tokens.js';

/** How the caller authenticated. */
export type AuthenticationMethod = 'admin-token' | 'session' | 'api-token';

/** The authenticated caller of one request: always a user (the bootstrap admin token acts as the bootstrap admin). */
export interface Viewer {
  actor: Actor;
  userId: string;
  role: Role;
  via: AuthenticationMethod;
  /** The API token used, when `via` is `api-token`. */
  tokenId?: string;
}

/** Where a request comes from, for access history and per-client rate limits. */
export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

export type Authentication =
  | { kind: 'anonymous' }
  | { kind: 'authenticated'; viewer: Viewer }
  /** The credentials are wrong, malformed, expired or revoked: 401. */
  | { kind: 'rejected'; reason: string }
  /** The credentials are right but the user is suspended or their access expired: 403, immediately. */
  | { kind: 'inactive'; reason: string };

/**
 * Resolves bearer tokens to users against `users.json` (one conditional GET per request; the indexes are rebuilt only
 * when it changed), so a suspension, expiry, deletion or revocation written by any replica applies to the next request.
 */
export class AuthService {
  constructor(
    private readonly adminTokenSha256: string,
    private readonly users: UsersService,
    private readonly sessions: SessionTokens,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Resolves an Authorization header; a present but wrong token is rejected, never treated as anonymous. */
  async authenticate(authorization: string | null | undefined): Promise<Authentication> {
    const token = bearerToken(authorization);
    if (token === undefined) return { kind: 'anonymous' };
    if (token === null) return { kind: 'rejected', reason: 'Authorization header must be "Bearer <token>"' };
    const sha256 = hashToken(token);
    if (sameDigest(sha256, this.adminTokenSha256)) return this.admit(await this.users.get(BOOTSTRAP_ADMIN_ID), 'admin-token');
    if (token.startsWith(`${API_TOKEN_PREFIX}_`)) {
      const found = (await this.users.directory()).byToken(sha256);
      if (!found || found.token.revokedAt || (found.token.expiresAt && Date.parse(found.token.expiresAt) <= this.now().getTime())) {
        return { kind: 'rejected', reason: 'Invalid, expired or revoked token' };
      }
      return this.admit(found.user, 'api-token', found.token.id);
    }
    const session = await this.sessions.verifySession(token);
    if (!session) return { kind: 'rejected', reason: 'Invalid or expired token' };
    return this.admit(await this.users.get(session.userId), 'session');
  }

  private admit(user: UserRecord | null | undefined, via: AuthenticationMethod, tokenId?: string): Authentication {
    if (!user) return { kind: 'rejected', reason: 'Invalid or expired token' };
    if (!canAct(user, this.now())) return { kind: 'inactive', reason: 'This account is suspended or its access has expired' };
    return {
      kind: 'authenticated',
      viewer: {
        actor: { id: user.id, kind: via === 'admin-token' ? 'admin-token' : 'user' },
        userId: user.id,
        role: user.role,
        via,
        ...(tokenId ? { tokenId } : {}),
      },
    };
  }
}
