import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { z } from 'zod';

/**
 * A secret as stored in JSON documents: which key, the GCM nonce, and ciphertext ‖ tag (base64url). The same shape as
 * the contact-data keyring's ciphertexts, so the two can be unified without rewriting stored documents' structure.
 */
export const encryptedValueSchema = z.object({
  kid: z.string(),
  iv: z.string(),
  ct: z.string(),
});
export type EncryptedValue = z.infer<typeof encryptedValueSchema>;

/** A ciphertext that this server's key cannot open (another key, or tampered with). The message names no secret. */
export class SecretDecryptionError extends Error {
  override name = 'SecretDecryptionError';
}

const TAG_BYTES = 16;

/**
 * AES-256-GCM for the few secrets kept in config documents (Zulip API key, webhook secret). The key is derived from one
 * server secret with HKDF; `aad` binds each ciphertext to the setting it belongs to, so ciphertexts cannot be swapped.
 */
export class SecretBox {
  private constructor(
    readonly keyId: string,
    private readonly key: Buffer,
  ) {}

  /** A box keyed from a server secret (STUF_CONFIG_ENCRYPTION_KEY); the key id is a fingerprint, never the key. */
  static fromSecret(secret: string): SecretBox {
    const key = Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), 'stuf/config-secrets/v1', 32));
    const keyId = `cfg-${createHmac('sha256', key).update('key-id').digest('hex').slice(0, 12)}`;
    return new SecretBox(keyId, key);
  }

  /** Encrypts with a fresh random nonce. */
  encrypt(plaintext: string, aad: string): EncryptedValue {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return { kid: this.keyId, iv: iv.toString('base64url'), ct: ct.toString('base64url') };
  }

  /** Decrypts, or throws `SecretDecryptionError` (wrong key, wrong `aad`, tampered). */
  decrypt(value: EncryptedValue, aad: string): string {
    if (value.kid !== this.keyId) throw new SecretDecryptionError(`Encrypted with key ${value.kid}, but this server has key ${this.keyId}`);
    try {
      const data = Buffer.from(value.ct, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(value.iv, 'base64url'));
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      return Buffer.concat([decipher.update(data.subarray(0, data.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretDecryptionError('The ciphertext does not authenticate (tampered, or bound to another setting)');
    }
  }
}
