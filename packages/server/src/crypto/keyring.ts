import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { z } from 'zod';

/** One key of the keyring: an id (stored next to every ciphertext) and 32 secret bytes. */
export interface KeyringKey {
  id: string;
  key: Buffer;
}

/** A ciphertext as stored in JSON documents: which key, the GCM nonce, and ciphertext ‖ tag (base64url). */
export const encryptedValueSchema = z.object({
  kid: z.string(),
  iv: z.string(),
  ct: z.string(),
});
export type EncryptedValue = z.infer<typeof encryptedValueSchema>;

export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,40}$/;

/** Thrown when a ciphertext names a key the keyring does not hold, or does not authenticate. */
export class DecryptionError extends Error {
  override name = 'DecryptionError';
}

interface DerivedKey {
  id: string;
  encryption: Buffer;
  index: Buffer;
}

/** Separate subkeys for encryption and for the blind index, so one never doubles as the other. */
function derive(key: KeyringKey): DerivedKey {
  const sub = (info: string) => Buffer.from(hkdfSync('sha256', key.key, Buffer.alloc(0), info, 32));
  return { id: key.id, encryption: sub('stuf/contact-encryption/v1'), index: sub('stuf/email-blind-index/v1') };
}

/**
 * AES-256-GCM encryption of contact data with key rotation: the newest key (the first) encrypts, every key decrypts.
 * `aad` binds a ciphertext to where it belongs (user id and field), so ciphertexts cannot be swapped between records.
 */
export class Keyring {
  private readonly keys: DerivedKey[];
  private readonly byId: Map<string, DerivedKey>;

  constructor(keys: KeyringKey[]) {
    if (keys.length === 0) throw new Error('A keyring needs at least one key');
    this.keys = keys.map(derive);
    this.byId = new Map(this.keys.map((key) => [key.id, key]));
  }

  /** The id of the key that encrypts. */
  get currentKeyId(): string {
    return this.keys[0]!.id;
  }

  /** Every key id, newest first. */
  get keyIds(): string[] {
    return this.keys.map((key) => key.id);
  }

  /** Encrypts with the newest key and a random 96-bit nonce. */
  encrypt(plaintext: string, aad: string): EncryptedValue {
    const key = this.keys[0]!;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key.encryption, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return { kid: key.id, iv: iv.toString('base64url'), ct: ct.toString('base64url') };
  }

  /** Decrypts with the key named by the ciphertext; `DecryptionError` when it is unknown or the data was altered. */
  decrypt(value: EncryptedValue, aad: string): string {
    const key = this.byId.get(value.kid);
    if (!key) throw new DecryptionError(`No key "${value.kid}" in STUF_ENCRYPTION_KEYS`);
    const data = Buffer.from(value.ct, 'base64url');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.encryption, Buffer.from(value.iv, 'base64url'));
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(data.subarray(data.length - 16));
      return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString('utf8');
    } catch (error) {
      throw new DecryptionError(`Ciphertext under key "${value.kid}" does not authenticate`, { cause: error });
    }
  }

  /** Re-encrypts with the newest key when `value` is under an older one; the same object when already current. */
  reencrypt(value: EncryptedValue, aad: string): EncryptedValue {
    return value.kid === this.currentKeyId ? value : this.encrypt(this.decrypt(value, aad), aad);
  }

  /** The blind index of `normalized` under the newest key: `<kid>.<HMAC-SHA256, base64url>`. */
  blindIndex(normalized: string): string {
    return indexWith(this.keys[0]!, normalized);
  }

  /** The blind index under every key, newest first: lookups match records indexed before a rotation too. */
  blindIndexes(normalized: string): string[] {
    return this.keys.map((key) => indexWith(key, normalized));
  }
}

function indexWith(key: DerivedKey, normalized: string): string {
  return `${key.id}.${createHmac('sha256', key.index).update(normalized, 'utf8').digest('base64url')}`;
}

/** A fresh random key, e.g. for the development keyring kept in the bucket. */
export function generateKey(id: string): KeyringKey {
  return { id, key: randomBytes(32) };
}

/**
 * Parses `STUF_ENCRYPTION_KEYS`: comma-separated `<id>:<base64 of 32 bytes>`, newest first. Throws with a message that
 * never contains key material.
 */
export function parseKeyringSpec(spec: string): KeyringKey[] {
  const entries = spec.split(',').map((entry) => entry.trim()).filter(Boolean);
  if (entries.length === 0) throw new Error('needs at least one "<id>:<base64 key>"');
  const keys = entries.map((entry, index) => {
    const separator = entry.indexOf(':');
    const id = separator === -1 ? '' : entry.slice(0, separator);
    if (!KEY_ID_PATTERN.test(id)) throw new Error(`entry ${index + 1}: the key id must be 1–40 of A-Z a-z 0-9 _ - followed by ":"`);
    const key = Buffer.from(entry.slice(separator + 1).replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length !== 32) throw new Error(`key "${id}": must be 32 random bytes, base64-encoded (e.g. \`openssl rand -base64 32\`)`);
    return { id, key };
  });
  const ids = keys.map((key) => key.id);
  const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
  if (duplicate) throw new Error(`key id "${duplicate}" appears twice`);
  return keys;
}
