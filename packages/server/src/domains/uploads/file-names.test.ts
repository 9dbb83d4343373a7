import { describe, expect, it } from 'vitest';
import { assertValidKey } from '../../storage/keys.js';
import { displayName, MAX_STORED_NAME_BYTES, safeStoredName, uniqueName } from './file-names.js';

describe('safe stored file names', () => {
  it('turns path separators into underscores so ../../users.json stays one segment', () => {
    expect(safeStoredName('../../users.json')).toBe('.._.._users.json');
    expect(safeStoredName('a\\b/c')).toBe('a_b_c');
  });

  it('never yields . or .. or an empty name', () => {
    expect(safeStoredName('.')).toBe('_.');
    expect(safeStoredName('..')).toBe('_..');
    expect(safeStoredName('')).toBe('_');
  });

  it('removes NUL and control characters', () => {
    expect(safeStoredName('a\u0000b\nc\u007f.txt')).toBe('a_b_c_.txt');
  });

  it('normalizes to NFC', () => {
    expect(safeStoredName('e\u0301te\u0301.pdf')).toBe('été.pdf');
  });

  it('bounds the length in bytes and keeps the extension', () => {
    const name = safeStoredName(`${'é'.repeat(300)}.pdf`);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(MAX_STORED_NAME_BYTES);
    expect(name.endsWith('.pdf')).toBe(true);
  });

  it('always produces a valid key segment', () => {
    for (const raw of ['../../users.json', '..', '.', 'a/../b', '\u0000', ' ', 'x'.repeat(1000), 'rapport d\'été №2.pdf']) {
      expect(() => assertValidKey(`uploads/id/data/${safeStoredName(raw)}`)).not.toThrow();
    }
  });

  it('makes collisions unique, case-insensitively', () => {
    const taken = new Set<string>();
    expect([uniqueName('a.txt', taken), uniqueName('A.txt', taken), uniqueName('a.txt', taken)]).toEqual(['a.txt', 'A (2).txt', 'a (3).txt']);
  });

  it('keeps the display name readable but without control characters', () => {
    expect(displayName(' rapport\u0007 d\'été №2.pdf ')).toBe('rapport d\'été №2.pdf');
  });
});
