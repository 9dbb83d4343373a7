import pMap from 'p-map';
import { v7 as uuidv7 } from 'uuid';
import type { Logger } from '../../logger.js';
import type { JsonStore } from '../../storage/json-store.js';
import { isNotFound, isPreconditionFailed } from '../../storage/errors.js';
import { userKey } from '../../storage/keys.js';
import { VersionMemo } from '../../storage/version-memo.js';
import { ResourceNotFoundError, RevisionConflictError, ValidationError } from '../../errors.js';
import type { Actor } from '../journal/documents.js';
import type { JournalService } from '../journal/service.js';
import { paginate, type Page, type PageArgs } from '../uploads/pagination.js';
import type { UsersCacheService } from './cache.js';
import type { ContactCipher } from './contact.js';
import { Directory } from './directory.js';
import {
  ACCESS_HISTORY_LIMIT,
  effectiveStatus,
  recordOf,
  userDocumentSchema,
  type AccessEvent,
  type Role,
  type UserDocument,
  type UserRecord,
  type UserStatus,
} from './documents.js';
import { EmailTakenError, SelfLockoutError } from './errors.js';
import { parseUserPatch, type NewUserInput } from './validation.js';

/** The id of the user the bootstrap admin token acts as (architecture §7: it becomes the first admin user). */
export const BOOTSTRAP_ADMIN_ID = 'bootstrap-admin';

/**
 * How many user documents a replica remembers (last version read or written) so that an access-history append for an
 * active user is one conditional PUT instead of a GET and a PUT. A document is ~10–30 KB with a full history.
 */
const REMEMBERED_USER_DOCUMENTS = 200;

export interface UserFilter {
  status?: UserStatus | null;
  role?: Role | null;
}

export interface UserPatch {
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  role?: Role | null;
  status?: UserStatus | null;
  /** `null` removes the expiry; `undefined` leaves it. */
  accessExpiresAt?: Date | null;
}

/** Users: the per-user documents, the `users.json` cache, journaling, and activity (architecture §2, §4). */
export class UsersService {
  private directoryMemo = new WeakMap<UserRecord[], Directory>();
  private readonly versions = new VersionMemo<UserDocument>(REMEMBERED_USER_DOCUMENTS);

  constructor(
    private readonly store: JsonStore,
    private readonly journal: JournalService,
    readonly cache: UsersCacheService,
    readonly cipher: ContactCipher,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Indexes over the current `users.json` (rebuilt only when the cache changed). */
  async directory(): Promise<Directory> {
    const users = await this.cache.all();
    let directory = this.directoryMemo.get(users);
    if (!directory) {
      directory = new Directory(users, this.cipher);
      this.directoryMemo.set(users, directory);
    }
    return directory;
  }

  /** One user's record, or null. */
  async get(id: string): Promise<UserRecord | null> {
    return (await this.directory()).byId.get(id) ?? null;
  }

  /** Records by id in the order asked (DataLoader batch contract), null for unknown ids. */
  async getMany(ids: readonly string[]): Promise<(UserRecord | null)[]> {
    const directory = await this.directory();
    return ids.map((id) => directory.byId.get(id) ?? null);
  }

  /** The full document (with activity) from `users/<id>.json`, or null. */
  async document(id: string): Promise<UserDocument | null> {
    return (await this.readDocument(id))?.value ?? null;
  }

  /** Reads `users/<id>.json` and remembers the version for the next update. */
  private async readDocument(id: string) {
    const version = await this.store.readIfExists(userKey(id), userDocumentSchema);
    if (version) this.versions.set(userKey(id), version);
    else this.versions.delete(userKey(id));
    return version;
  }

  /** A page of users, newest first; `search` matches name, email and phone case-insensitively. */
  async list(args: PageArgs & { filter?: UserFilter | null; search?: string | null }): Promise<Page<UserRecord>> {
    const directory = await this.directory();
    const now = this.now();
    const needle = args.search?.trim().normalize('NFC').toLowerCase();
    const matches = directory.users
      .filter((user) => (!args.filter?.role || user.role === args.filter.role) && (!args.filter?.status || effectiveStatus(user, now) === args.filter.status))
      .filter((user) => {
        if (!needle) return true;
        const contact = directory.contact(user);
        return [user.name, contact.email, contact.phone].some((text) => text?.normalize('NFC').toLowerCase().includes(needle));
      })
      .reverse();
    return paginate(matches, args, (user) => ({ createdAt: user.createdAt, id: user.id }));
  }

  /** Builds a new user's document (contact data encrypted). */
  newDocument(input: NewUserInput, id: string = uuidv7()): UserDocument {
    const time = this.now().toISOString();
    return {
      schemaVersion: 1,
      id,
      revision: 1,
      name: input.name,
      email: this.cipher.encrypt(id, 'email', input.email),
      phone: this.cipher.encrypt(id, 'phone', input.phone),
      emailIndex: this.cipher.emailIndex(input.email),
      role: input.role,
      status: 'invited',
      accessExpiresAt: input.accessExpiresAt?.toISOString() ?? null,
      createdAt: time,
      updatedAt: time,
      apiTokens: [],
      activity: { accessHistory: [], apiTokensLastUsedAt: {} },
    };
  }

  /** Creates a user: document (create-only) → journal → cache. Email addresses are unique. */
  async create(actor: Actor, input: NewUserInput): Promise<UserRecord> {
    if ((await this.directory()).byEmail(input.email)) throw new EmailTakenError();
    const document = this.newDocument(input);
    const { etag } = await this.store.create(userKey(document.id), document);
    this.versions.set(userKey(document.id), { value: document, etag });
    return this.committed(actor, 'user.create', undefined, recordOf(document));
  }

  /** Writes documents made by `newDocument` (import): create-only each, journaled each, one cache write at the end. */
  async createMany(actor: Actor, documents: UserDocument[], concurrency = 32): Promise<void> {
    await pMap(
      documents,
      async (document) => {
        await this.store.create(userKey(document.id), document);
        await this.journal.append({ actor, action: 'user.create', resource: { type: 'user', id: document.id }, after: recordOf(document) });
      },
      { concurrency },
    );
    await this.cache.putMany(documents.map(recordOf));
  }

  /**
   * Applies an admin's edit when `revision` is current (else `RevisionConflictError` with the current one). Changing
   * the email re-checks uniqueness; nobody can suspend, expire or demote themselves.
   */
  async update(actor: Actor, input: { id: string; revision: number } & UserPatch): Promise<UserRecord> {
    const patch = parseUserPatch(input);
    if (actor.id === input.id && ((input.status && input.status !== 'active') || input.role === 'participant')) {
      throw new SelfLockoutError('You cannot suspend, expire or demote yourself');
    }
    if (patch.email) {
      const holder = (await this.directory()).byEmail(patch.email);
      if (holder && holder.id !== input.id) throw new EmailTakenError();
    }
    let before: UserRecord | undefined;
    const { value } = await this.updateDocument(input.id, (current) => {
      if (current.revision !== input.revision) throw new RevisionConflictError(current.revision, input.revision);
      before = recordOf(current);
      return this.withRecordChange(current, {
        ...(input.name ? { name: patch.name } : {}),
        ...(patch.email ? { email: this.cipher.encrypt(current.id, 'email', patch.email), emailIndex: this.cipher.emailIndex(patch.email) } : {}),
        ...(patch.phone ? { phone: this.cipher.encrypt(current.id, 'phone', patch.phone) } : {}),
        ...(input.role ? { role: input.role } : {}),
        ...(input.status ? { status: input.status } : {}),
        ...(input.accessExpiresAt !== undefined ? { accessExpiresAt: input.accessExpiresAt?.toISOString() ?? null } : {}),
      });
    });
    return this.committed(actor, 'user.update', before, recordOf(value));
  }

  /** Deletes a user (with `revision`, only when it is current). The caller and the bootstrap admin cannot be deleted. */
  async delete(actor: Actor, input: { id: string; revision?: number | null }): Promise<UserRecord> {
    if (input.id === actor.id) throw new SelfLockoutError('You cannot delete yourself');
    if (input.id === BOOTSTRAP_ADMIN_ID) throw new SelfLockoutError('The bootstrap admin cannot be deleted; suspend it instead');
    const key = userKey(input.id);
    for (let attempt = 0; ; attempt++) {
      const current = await this.readDocument(input.id);
      if (!current) throw new ResourceNotFoundError('user', input.id);
      if (input.revision != null && current.value.revision !== input.revision) throw new RevisionConflictError(current.value.revision, input.revision);
      try {
        await this.store.driver.delete(key, { ifMatch: current.etag });
        this.versions.delete(key);
      } catch (error) {
        // Changed (activity, an edit) since we read it: re-check the revision against the new version.
        if ((isPreconditionFailed(error) || isNotFound(error)) && attempt < 8) continue;
        throw error;
      }
      const before = recordOf(current.value);
      await this.journal.append({ actor, action: 'user.delete', resource: { type: 'user', id: input.id }, before });
      await this.cache.remove(input.id);
      return before;
    }
  }

  /** A record change made by a domain service (tokens, activation): revision +1, journaled, cached. */
  async change(actor: Actor, id: string, action: string, change: (current: UserDocument) => Partial<UserRecord> | undefined): Promise<UserRecord> {
    let before: UserRecord | undefined;
    let changed = false;
    const { value } = await this.updateDocument(id, (current) => {
      const fields = change(current);
      changed = fields !== undefined;
      before = recordOf(current);
      return fields ? this.withRecordChange(current, fields) : current;
    });
    if (!changed) return recordOf(value);
    return this.committed(actor, action, before, recordOf(value));
  }

  /** Rewrites a document's record without counting it as an edit (key rotation); cached, not journaled. */
  async rewrite(id: string, change: (current: UserDocument) => UserDocument | undefined): Promise<boolean> {
    let changed = false;
    const { value } = await this.updateDocument(id, (current) => {
      const next = change(current);
      changed = next !== undefined;
      return next ?? current;
    });
    if (changed) await this.cache.put(recordOf(value), { sameRevision: true });
    return changed;
  }

  /**
   * Appends to a user's access history (bounded) through `update()`, so concurrent requests never lose an event.
   * Activity is not an edit: no revision, no journal entry, no cache change. Failures are logged, never thrown.
   */
  async recordAccess(
    userId: string,
    events: Omit<AccessEvent, 'time'>[],
    extra?: (activity: UserDocument['activity'], time: string) => UserDocument['activity'],
  ): Promise<void> {
    const time = this.now().toISOString();
    try {
      await this.store.update(
        userKey(userId),
        userDocumentSchema,
        (current) => {
          const activity = extra ? extra(current.activity, time) : current.activity;
          return {
            ...current,
            activity: { ...activity, accessHistory: [...activity.accessHistory, ...events.map((event) => ({ time, ...event }))].slice(-ACCESS_HISTORY_LIMIT) },
          };
        },
        { memo: this.versions },
      );
    } catch (error) {
      if (isNotFound(error)) return; // deleted meanwhile: nothing to record
      this.logger.error({ err: error, userId }, 'could not record access');
    }
  }

  /** Creates the bootstrap admin's user on first start (create-only, so replicas starting together agree). */
  async ensureBootstrapAdmin(): Promise<void> {
    if (await this.readDocument(BOOTSTRAP_ADMIN_ID)) return;
    const time = this.now().toISOString();
    const document: UserDocument = {
      schemaVersion: 1,
      id: BOOTSTRAP_ADMIN_ID,
      revision: 1,
      name: 'Bootstrap admin',
      email: null,
      phone: null,
      emailIndex: null,
      role: 'admin',
      status: 'active',
      accessExpiresAt: null,
      createdAt: time,
      updatedAt: time,
      apiTokens: [],
      activity: { accessHistory: [], apiTokensLastUsedAt: {} },
    };
    try {
      const { etag } = await this.store.create(userKey(BOOTSTRAP_ADMIN_ID), document);
      this.versions.set(userKey(BOOTSTRAP_ADMIN_ID), { value: document, etag });
    } catch (error) {
      if (isPreconditionFailed(error)) return;
      throw error;
    }
    await this.committed({ id: 'system', kind: 'system' }, 'user.create', undefined, recordOf(document));
  }

  private withRecordChange(current: UserDocument, fields: Partial<UserRecord>): UserDocument {
    return { ...current, ...fields, revision: current.revision + 1, updatedAt: this.now().toISOString() };
  }

  private async updateDocument(id: string, change: (current: UserDocument) => UserDocument) {
    try {
      return await this.store.update(userKey(id), userDocumentSchema, change, { memo: this.versions });
    } catch (error) {
      if (isNotFound(error)) throw new ResourceNotFoundError('user', id);
      throw error;
    }
  }

  /** After the document is written: journal (before/after records, contact data encrypted), then the cache. */
  private async committed(actor: Actor, action: string, before: UserRecord | undefined, after: UserRecord): Promise<UserRecord> {
    await this.journal.append({ actor, action, resource: { type: 'user', id: after.id }, ...(before ? { before } : {}), after });
    await this.cache.put(after);
    return after;
  }
}

/** Refuses an empty edit early, so a typo'd client gets an answer instead of a silent no-op revision bump. */
export function assertSomethingToChange(patch: UserPatch): void {
  if (Object.values(patch).every((value) => value === undefined)) throw new ValidationError([{ path: ['input'], message: 'Nothing to change' }]);
}
