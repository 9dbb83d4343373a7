import type { EncryptedValue, Keyring } from '../../crypto/keyring.js';
import { normalizeEmail } from './documents.js';

export type ContactField = 'email' | 'phone';

/** Associated data of a contact ciphertext: it only decrypts as this field of this user. */
const aad = (userId: string, field: ContactField) => `stuf/user/${userId}/${field}`;

/** Encrypts and decrypts users' contact data and computes the email blind index (keyring in crypto/keyring.ts). */
export class ContactCipher {
  constructor(readonly keyring: Keyring) {}

  encrypt(userId: string, field: ContactField, value: string): EncryptedValue {
    return this.keyring.encrypt(value, aad(userId, field));
  }

  decrypt(userId: string, field: ContactField, value: EncryptedValue | null): string | null {
    return value === null ? null : this.keyring.decrypt(value, aad(userId, field));
  }

  /** The same ciphertext when it is under the newest key already, else re-encrypted under it. */
  reencrypt(userId: string, field: ContactField, value: EncryptedValue | null): EncryptedValue | null {
    return value === null ? null : this.keyring.reencrypt(value, aad(userId, field));
  }

  /** The blind index stored with a user (newest key). */
  emailIndex(email: string): string {
    return this.keyring.blindIndex(normalizeEmail(email));
  }

  /** Every index `email` may be stored under (one per key), for lookups across a rotation. */
  emailIndexes(email: string): string[] {
    return this.keyring.blindIndexes(normalizeEmail(email));
  }
}
