import { randomUUID } from 'node:crypto';
import { ResourceNotFoundError, ValidationError } from '../../errors.js';
import type { Actor } from '../journal/documents.js';
import type { ApiTokenRecord } from '../users/documents.js';
import type { UsersService } from '../users/service.js';
import { API_TOKEN_PREFIX, generateToken, hashToken } from './tokens.js';

/** `lastUsedAt` and the access history get at most one write per token per this interval (per replica). */
const TOUCH_INTERVAL_MS = 60_000;

/** API tokens for integrators: issued by admins for a user, shown once, stored hashed in the user's record, revocable. */
export class ApiTokensService {
  private readonly lastTouched = new Map<string, number>();

  constructor(
    private readonly users: UsersService,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Issues a token for `userId`; the secret is returned once and only its SHA-256 is stored. */
  async create(actor: Actor, input: { userId: string; label: string; expiresAt?: Date | null }): Promise<{ token: string; apiToken: ApiTokenRecord; userId: string }> {
    const label = input.label.trim();
    if (!label || label.length > 100) throw new ValidationError([{ path: ['input', 'label'], message: 'Required, at most 100 characters' }]);
    if (input.expiresAt && input.expiresAt.getTime() <= this.now().getTime()) {
      throw new ValidationError([{ path: ['input', 'expiresAt'], message: 'Must be in the future' }]);
    }
    const token = generateToken(API_TOKEN_PREFIX);
    const apiToken: ApiTokenRecord = {
      id: randomUUID(),
      label,
      sha256: hashToken(token),
      createdAt: this.now().toISOString(),
      createdBy: actor.id,
      expiresAt: input.expiresAt?.toISOString() ?? null,
      revokedAt: null,
    };
    await this.users.change(actor, input.userId, 'user.api-token.create', (current) => ({ apiTokens: [...current.apiTokens, apiToken] }));
    return { token, apiToken, userId: input.userId };
  }

  /** Revokes a token: refused from the next request on, on every replica. Revoking twice keeps the first time. */
  async revoke(actor: Actor, tokenId: string): Promise<{ apiToken: ApiTokenRecord; userId: string }> {
    const owner = (await this.users.directory()).users.find((user) => user.apiTokens.some((token) => token.id === tokenId));
    if (!owner) throw new ResourceNotFoundError('API token', tokenId);
    const revokedAt = this.now().toISOString();
    const record = await this.users.change(actor, owner.id, 'user.api-token.revoke', (current) => {
      const target = current.apiTokens.find((token) => token.id === tokenId);
      if (!target || target.revokedAt) return undefined;
      return { apiTokens: current.apiTokens.map((token) => (token.id === tokenId ? { ...token, revokedAt } : token)) };
    });
    const apiToken = record.apiTokens.find((token) => token.id === tokenId);
    if (!apiToken) throw new ResourceNotFoundError('API token', tokenId);
    return { apiToken, userId: owner.id };
  }

  /**
   * Whether this use of the token is to be recorded (lastUsedAt + a `token-use` access event, written with the
   * request's other access events): true at most once a minute per token on this replica.
   */
  claimUseRecord(tokenId: string): boolean {
    const now = this.now().getTime();
    const last = this.lastTouched.get(tokenId);
    if (last !== undefined && now - last < TOUCH_INTERVAL_MS) return false;
    this.lastTouched.set(tokenId, now);
    return true;
  }
}
