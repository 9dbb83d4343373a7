import { z } from 'zod';
import { encryptedValueSchema } from '../../crypto/keyring.js';

export const ROLES = ['admin', 'participant'] as const;
export type Role = (typeof ROLES)[number];
export const USER_STATUSES = ['invited', 'active', 'suspended', 'expired'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/** At most this many access events are kept per user (the oldest are dropped). */
export const ACCESS_HISTORY_LIMIT = 100;

export const ACCESS_EVENTS = ['sign-in', 'upload', 'download', 'token-use'] as const;
export type AccessEventKind = (typeof ACCESS_EVENTS)[number];

export const accessEventSchema = z.object({
  time: z.iso.datetime(),
  event: z.enum(ACCESS_EVENTS),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  /** The upload of an upload/download event. */
  uploadId: z.string().optional(),
  /** The API token of a token-use event. */
  tokenId: z.string().optional(),
});
export type AccessEvent = z.infer<typeof accessEventSchema>;

/** An API token for integrators: only its SHA-256 is stored; the secret was shown once. */
export const apiTokenSchema = z.object({
  id: z.string(),
  label: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
  expiresAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
});
export type ApiTokenRecord = z.infer<typeof apiTokenSchema>;

/**
 * The editable part of a user, and what `users.json` caches: every change to it increments `revision`, is journaled,
 * and updates the cache. Contact data is encrypted (`crypto/keyring.ts`); `emailIndex` is the HMAC blind index of the
 * normalized email that sign-in looks users up by.
 */
export const userRecordSchema = z.object({
  schemaVersion: z.literal(1),
  id: z.string(),
  revision: z.number().int().positive(),
  name: z.string(),
  email: encryptedValueSchema.nullable(),
  phone: encryptedValueSchema.nullable(),
  emailIndex: z.string().nullable(),
  role: z.enum(ROLES),
  status: z.enum(USER_STATUSES),
  accessExpiresAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  apiTokens: z.array(apiTokenSchema),
});
export type UserRecord = z.infer<typeof userRecordSchema>;

/**
 * `users/<id>.json`, the source of truth for one user: the record plus its activity. Activity (access history, token
 * use) is appended through `update()` too, but is not an edit: it leaves `revision`, the journal and `users.json` alone,
 * so an admin's edit never conflicts with a participant's upload.
 */
export const userDocumentSchema = userRecordSchema.extend({
  activity: z.object({
    accessHistory: z.array(accessEventSchema),
    /** Token id → last time it authenticated a request (written at most once a minute per token). */
    apiTokensLastUsedAt: z.record(z.string(), z.iso.datetime()),
  }),
});
export type UserDocument = z.infer<typeof userDocumentSchema>;

/** `users.json`: every user's record (no activity), oldest first; derived and rebuildable at any time. */
export const usersCacheSchema = z.object({
  schemaVersion: z.literal(1),
  users: z.array(userRecordSchema),
});
export type UsersCache = z.infer<typeof usersCacheSchema>;

/** The record part of a document (what is cached and journaled). */
export function recordOf(document: UserDocument): UserRecord {
  const { activity: _activity, ...record } = document;
  return record;
}

/** The status that applies now: an invited or active user whose access has run out counts as expired. */
export function effectiveStatus(user: Pick<UserRecord, 'status' | 'accessExpiresAt'>, now: Date = new Date()): UserStatus {
  if ((user.status === 'active' || user.status === 'invited') && user.accessExpiresAt && Date.parse(user.accessExpiresAt) <= now.getTime()) return 'expired';
  return user.status;
}

/** Invited and active users may use STUF; suspended and expired ones are refused everywhere. */
export function canAct(user: Pick<UserRecord, 'status' | 'accessExpiresAt'>, now: Date = new Date()): boolean {
  const status = effectiveStatus(user, now);
  return status === 'active' || status === 'invited';
}

/** The form contact data is compared and indexed in. */
export function normalizeEmail(email: string): string {
  return email.trim().normalize('NFC').toLowerCase();
}

/** Phone numbers are kept as given minus spacing punctuation: `+41 79 123-45-67` → `+41791234567`. */
export function normalizePhone(phone: string): string {
  return phone.trim().replace(/[\s().-]/g, '');
}
