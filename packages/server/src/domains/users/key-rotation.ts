import pMap from 'p-map';
import type { Logger } from '../../logger.js';
import type { StorageDriver } from '../../storage/driver.js';
import type { JsonStore } from '../../storage/json-store.js';
import { isNotFound, isPreconditionFailed } from '../../storage/errors.js';
import { JOURNAL_PREFIX, USERS_PREFIX, journalKeyTime, userIdFromKey } from '../../storage/keys.js';
import { ValidationError } from '../../errors.js';
import { journalEntrySchema } from '../journal/documents.js';
import type { ContactCipher } from './contact.js';
import { userRecordSchema, type UserRecord } from './documents.js';
import type { UsersService } from './service.js';
import type { Actor } from '../journal/documents.js';

export type RotationPhase = 'USERS' | 'JOURNAL';

export interface RotationBatch {
  /** The key everything is being moved to (the newest of STUF_ENCRYPTION_KEYS). */
  keyId: string;
  /** The phase this batch worked on. */
  phase: RotationPhase;
  /** Documents looked at in this batch, and how many of them were re-encrypted. */
  scanned: number;
  reencrypted: number;
  /** Pass to the next call; null when everything is done. */
  cursor: string | null;
}

interface Cursor {
  phase: 'USERS' | 'JOURNAL';
  after: string | null;
}

/**
 * Moves every contact ciphertext to the newest key, in batches: first `users/*.json` (then `users.json` is rebuilt),
 * then the journal entries that carry user records. Each document is rewritten on its own with a conditional write,
 * and only when it still has a ciphertext under an older key, so the rotation is safe to interrupt and to re-run.
 * Journal entries are otherwise never rewritten: re-encryption changes their envelopes, never their content.
 */
export class KeyRotationService {
  constructor(
    private readonly driver: StorageDriver,
    private readonly store: JsonStore,
    private readonly users: UsersService,
    private readonly logger: Logger,
    /** The config's own secrets (Zulip API key, webhook secret) move last, as one published change by `actor`. */
    private readonly config?: { reencryptSecrets(actor: Actor): Promise<number> },
  ) {}

  /** Re-encrypts up to `first` documents after `cursor` (null: start); the last batch also moves the config's secrets. */
  async rotate(input: { cursor?: string | null; first?: number | null; actor?: Actor }): Promise<RotationBatch> {
    const first = input.first ?? 100;
    if (first < 1 || first > 1000) throw new ValidationError([{ path: ['input', 'first'], message: 'Must be between 1 and 1000' }]);
    const cursor = input.cursor ? decodeCursor(input.cursor) : { phase: 'USERS' as const, after: null };
    const cipher = this.users.cipher;
    const keyId = cipher.keyring.currentKeyId;
    const prefix = cursor.phase === 'USERS' ? USERS_PREFIX : JOURNAL_PREFIX;
    const isItem = cursor.phase === 'USERS' ? (key: string) => userIdFromKey(key) !== undefined : (key: string) => journalKeyTime(key) !== undefined;
    const keys: string[] = [];
    let exhausted = true;
    for await (const object of this.driver.list(prefix, cursor.after ? { startAfter: cursor.after } : {})) {
      if (!isItem(object.key)) continue;
      if (keys.length === first) {
        exhausted = false;
        break;
      }
      keys.push(object.key);
    }
    const results = await pMap(keys, (key) => (cursor.phase === 'USERS' ? this.rotateUser(userIdFromKey(key)!) : this.rotateJournalEntry(key, cipher)), { concurrency: 8 });
    let reencrypted = results.filter(Boolean).length;
    let next: Cursor | null = { phase: cursor.phase, after: keys.at(-1) ?? cursor.after };
    if (exhausted) {
      if (cursor.phase === 'USERS') {
        // Rebuilt from the rewritten files, so no cached copy keeps an old ciphertext.
        await this.users.cache.invalidate();
        next = { phase: 'JOURNAL', after: null };
      } else {
        if (this.config && input.actor) reencrypted += await this.config.reencryptSecrets(input.actor);
        next = null;
      }
    }
    this.logger.info({ phase: cursor.phase, scanned: keys.length, reencrypted, keyId }, 'key rotation batch');
    return { keyId, phase: cursor.phase, scanned: keys.length, reencrypted, cursor: next ? encodeCursor(next) : null };
  }

  private rotateUser(id: string): Promise<boolean> {
    return this.users
      .rewrite(id, (current) => {
        const next = reencryptRecord(current, this.users.cipher);
        return next === current ? undefined : { ...current, ...next };
      })
      .catch((error: unknown) => {
        if (error instanceof Error && 'code' in error && error.code === 'NOT_FOUND') return false; // deleted meanwhile
        throw error;
      });
  }

  private async rotateJournalEntry(key: string, cipher: ContactCipher): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      let current;
      try {
        current = await this.store.read(key, journalEntrySchema);
      } catch (error) {
        if (isNotFound(error)) return false;
        throw error;
      }
      const entry = current.value;
      if (entry.resource.type !== 'user') return false;
      const rotate = (value: unknown) => {
        const record = userRecordSchema.safeParse(value);
        if (!record.success) return value;
        const next = reencryptRecord(record.data, cipher);
        return next === record.data ? value : { ...(value as object), ...next };
      };
      const before = rotate(entry.before);
      const after = rotate(entry.after);
      if (before === entry.before && after === entry.after) return false;
      try {
        await this.store.write(key, { ...entry, ...(entry.before !== undefined ? { before } : {}), ...(entry.after !== undefined ? { after } : {}) }, { ifMatch: current.etag });
        return true;
      } catch (error) {
        if (!isPreconditionFailed(error) || attempt >= 3) throw error;
      }
    }
  }
}

/** The record with its contact data and email index under the newest key; the same object when already there. */
export function reencryptRecord<T extends UserRecord>(record: T, cipher: ContactCipher): T {
  const keyId = cipher.keyring.currentKeyId;
  const current = (!record.email || record.email.kid === keyId) && (!record.phone || record.phone.kid === keyId) && (!record.emailIndex || record.emailIndex.startsWith(`${keyId}.`));
  if (current) return record;
  const email = cipher.decrypt(record.id, 'email', record.email);
  return {
    ...record,
    email: cipher.reencrypt(record.id, 'email', record.email),
    phone: cipher.reencrypt(record.id, 'phone', record.phone),
    emailIndex: email === null ? null : cipher.emailIndex(email),
  };
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

function decodeCursor(text: string): Cursor {
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor;
    if ((parsed.phase === 'USERS' || parsed.phase === 'JOURNAL') && (parsed.after === null || typeof parsed.after === 'string')) return parsed;
  } catch {
    // fall through to the typed error
  }
  throw new ValidationError([{ path: ['input', 'cursor'], message: 'Not a cursor returned by rotateEncryptionKey' }]);
}
