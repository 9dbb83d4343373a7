import { InvalidKeyError } from './errors.js';

/** Longest key we accept, in UTF-8 bytes (S3's limit is 1,024). */
export const MAX_KEY_BYTES = 1024;

/**
 * Throws `InvalidKeyError` unless `key` is a relative, slash-separated key without empty, `.` or `..` segments,
 * backslashes or control characters. Drivers call it on every key, so no key can ever leave the bucket/root.
 */
export function assertValidKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidKeyError(String(key), 'empty');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw new InvalidKeyError(key, 'too long');
  if (key.startsWith('/')) throw new InvalidKeyError(key, 'absolute');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(key)) throw new InvalidKeyError(key, 'control character or backslash');
  if (key.normalize('NFC') !== key) throw new InvalidKeyError(key, 'not NFC-normalized');
  for (const segment of key.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') throw new InvalidKeyError(key, `bad segment "${segment}"`);
  }
}

/** Like `assertValidKey` for list prefixes, which may be empty or end with `/`. */
export function assertValidPrefix(prefix: string): void {
  if (prefix === '') return;
  assertValidKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
}

// --- the bucket layout of architecture §2; nothing else builds keys ---------------------------------------------

export const UPLOADS_PREFIX = 'uploads/';
export const UPLOADS_CACHE_KEY = 'uploads.json';
export const USERS_PREFIX = 'users/';
export const USERS_CACHE_KEY = 'users.json';
export const STUF_CONFIG_KEY = 'config/stuf_config.json';
export const METADATA_CONFIG_KEY = 'config/metadata_config.json';
/** Server secrets (URL-signing key, bootstrap admin token hash). An addition to the seed's layout under `config/`. */
export const SERVER_SECRETS_KEY = 'config/server_secrets.json';
export const JOURNAL_PREFIX = 'journal/';
/**
 * Sign-in state shared by replicas (codes, failures, rate limits): one document per email blind index and per client
 * address hash. An addition to the seed's layout; it holds no contact data.
 */
export const SIGN_IN_PREFIX = 'auth/sign-in/';

export const uploadPrefix = (uploadId: string): string => `${UPLOADS_PREFIX}${uploadId}/`;
export const uploadMetadataKey = (uploadId: string): string => `${uploadPrefix(uploadId)}metadata.json`;
export const uploadDataPrefix = (uploadId: string): string => `${uploadPrefix(uploadId)}data/`;
/** `storedName` must come from `safeStoredName` (domains/uploads/file-names.ts). */
export const uploadDataKey = (uploadId: string, storedName: string): string => `${uploadDataPrefix(uploadId)}${storedName}`;
export const userKey = (userId: string): string => `${USERS_PREFIX}${userId}.json`;
/** `index` is a blind index (`<key id>.<base64url>`), never an address. */
export const signInEmailStateKey = (index: string): string => `${SIGN_IN_PREFIX}email/${index}.json`;
export const signInClientStateKey = (addressHash: string): string => `${SIGN_IN_PREFIX}client/${addressHash}.json`;

/** The id part of `users/<id>.json`, or undefined for any other key. */
export function userIdFromKey(key: string): string | undefined {
  const match = /^users\/([^/]+)\.json$/.exec(key);
  return match?.[1];
}

/** The id part of `uploads/<id>/metadata.json`, or undefined for any other key. */
export function uploadIdFromMetadataKey(key: string): string | undefined {
  const match = /^uploads\/([^/]+)\/metadata\.json$/.exec(key);
  return match?.[1];
}

/**
 * Fixed-width UTC timestamp with millisecond precision that sorts lexicographically in time order and is safe in
 * file names on every OS: `2026-12-03T16-56-31.123Z`.
 */
export function journalTimestamp(date: Date): string {
  return date.toISOString().replace(/:/g, '-');
}

export const journalKey = (date: Date, entryId: string): string =>
  `${JOURNAL_PREFIX}${journalTimestamp(date)}_${entryId}.json`;

/** The time encoded in a journal key, or undefined when the key is not a journal entry. */
export function journalKeyTime(key: string): Date | undefined {
  const match = /^journal\/(\d{4}-\d{2}-\d{2}T\d{2})-(\d{2})-(\d{2}\.\d{3}Z)_[^/]+\.json$/.exec(key);
  if (!match) return undefined;
  return new Date(`${match[1]}:${match[2]}:${match[3]}`);
}

/** Every published version of a config document: `config/history/<document>/<revision, 12 digits>.json`. */
export const CONFIG_HISTORY_PREFIX = 'config/history/';
export const configHistoryPrefix = (document: 'stuf_config' | 'metadata_config'): string => `${CONFIG_HISTORY_PREFIX}${document}/`;
/** Zero-padded, so listing order is revision order. */
export const configHistoryKey = (document: 'stuf_config' | 'metadata_config', revision: number): string =>
  `${configHistoryPrefix(document)}${String(revision).padStart(12, '0')}.json`;
