import { describe, expect, it } from 'vitest';
import { generateKey, Keyring, parseKeyringSpec } from './keyring.js';

const k1 = generateKey('k1');
const k2 = generateKey('k2');

describe('contact-data keyring', () => {
  it('encrypts with the newest key and decrypts with any key of the ring', () => {
    const old = new Keyring([k1]);
    const rotated = new Keyring([k2, k1]);
    const before = old.encrypt('ada@example.org', 'user:1:email');
    expect(before.kid).toBe('k1');
    expect(rotated.decrypt(before, 'user:1:email')).toBe('ada@example.org');
    expect(rotated.encrypt('ada@example.org', 'user:1:email').kid).toBe('k2');
  });

  it('never stores the plaintext and uses a fresh nonce each time', () => {
    const ring = new Keyring([k1]);
    const a = ring.encrypt('ada@example.org', 'x');
    const b = ring.encrypt('ada@example.org', 'x');
    expect(JSON.stringify(a)).not.toContain('ada');
    expect(a.ct).not.toBe(b.ct);
  });

  it('refuses a ciphertext moved to another record (bound by its associated data)', () => {
    const ring = new Keyring([k1]);
    expect(() => ring.decrypt(ring.encrypt('ada@example.org', 'user:1:email'), 'user:2:email')).toThrow(/does not authenticate/);
  });

  it('refuses a ciphertext under a key that is not in the ring', () => {
    expect(() => new Keyring([k2]).decrypt(new Keyring([k1]).encrypt('x', 'a'), 'a')).toThrow(/No key "k1"/);
  });

  it('re-encrypts only ciphertexts under older keys', () => {
    const rotated = new Keyring([k2, k1]);
    const current = rotated.encrypt('x', 'a');
    expect(rotated.reencrypt(current, 'a')).toBe(current);
    const moved = rotated.reencrypt(new Keyring([k1]).encrypt('x', 'a'), 'a');
    expect(moved.kid).toBe('k2');
    expect(rotated.decrypt(moved, 'a')).toBe('x');
  });

  it('computes a blind index per key, deterministic and tagged with the key id', () => {
    const rotated = new Keyring([k2, k1]);
    expect(rotated.blindIndex('ada@example.org')).toBe(rotated.blindIndex('ada@example.org'));
    expect(rotated.blindIndexes('ada@example.org')).toEqual([rotated.blindIndex('ada@example.org'), new Keyring([k1]).blindIndex('ada@example.org')]);
    expect(rotated.blindIndex('ada@example.org')).toMatch(/^k2\./);
  });

  it('parses STUF_ENCRYPTION_KEYS, newest first, and rejects bad entries without echoing key material', () => {
    const spec = `k2:${k2.key.toString('base64')}, k1:${k1.key.toString('base64url')}`;
    expect(parseKeyringSpec(spec).map((key) => key.id)).toEqual(['k2', 'k1']);
    expect(() => parseKeyringSpec('k1:c2hvcnQ=')).toThrow(/32 random bytes/);
    expect(() => parseKeyringSpec(`bad id:${k1.key.toString('base64')}`)).toThrow(/key id/);
    expect(() => parseKeyringSpec(`${spec},k1:${k1.key.toString('base64')}`)).toThrow(/appears twice/);
    try {
      parseKeyringSpec('k1:c2hvcnQ=');
    } catch (error) {
      expect((error as Error).message).not.toContain('c2hvcnQ');
    }
  });
});
