import type { ContactCipher } from './contact.js';
import type { ApiTokenRecord, UserRecord } from './documents.js';

/** Decrypted contact data, computed only when needed (search), never stored. */
export interface Contact {
  email: string | null;
  phone: string | null;
}

/**
 * In-memory indexes over one version of `users.json`: by id, by email blind index, by API-token hash. Built once per
 * cache version (memoized on the array `DerivedCache.all()` returns), so authentication is a map lookup.
 */
export class Directory {
  readonly byId: Map<string, UserRecord>;
  private readonly byEmailIndex: Map<string, UserRecord>;
  private readonly byTokenHash: Map<string, { user: UserRecord; token: ApiTokenRecord }>;
  private contacts?: Map<string, Contact>;

  constructor(
    readonly users: UserRecord[],
    private readonly cipher: ContactCipher,
  ) {
    this.byId = new Map(users.map((user) => [user.id, user]));
    this.byEmailIndex = new Map(users.flatMap((user) => (user.emailIndex ? [[user.emailIndex, user] as const] : [])));
    this.byTokenHash = new Map(users.flatMap((user) => user.apiTokens.map((token) => [token.sha256, { user, token }] as const)));
  }

  /** The user with this email (normalized), whichever key its index was computed with. */
  byEmail(email: string): UserRecord | undefined {
    for (const index of this.cipher.emailIndexes(email)) {
      const user = this.byEmailIndex.get(index);
      if (user) return user;
    }
    return undefined;
  }

  byToken(sha256: string): { user: UserRecord; token: ApiTokenRecord } | undefined {
    return this.byTokenHash.get(sha256);
  }

  /** Decrypted contact data of a user (all users are decrypted together, once per cache version). */
  contact(user: UserRecord): Contact {
    this.contacts ??= new Map(
      this.users.map((candidate) => [
        candidate.id,
        { email: this.cipher.decrypt(candidate.id, 'email', candidate.email), phone: this.cipher.decrypt(candidate.id, 'phone', candidate.phone) },
      ]),
    );
    return this.contacts.get(user.id) ?? { email: this.cipher.decrypt(user.id, 'email', user.email), phone: this.cipher.decrypt(user.id, 'phone', user.phone) };
  }
}
