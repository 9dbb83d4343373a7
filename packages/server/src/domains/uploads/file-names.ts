/** Longest stored file name in UTF-8 bytes; leaves room for the `uploads/<id>/data/` prefix within S3's 1,024. */
export const MAX_STORED_NAME_BYTES = 200;

/**
 * The display name a user gave, cleaned only of what can never be shown safely: NFC-normalized, control characters
 * removed, trimmed, bounded. Used in listings and `Content-Disposition`.
 */
export function displayName(original: string): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = original.normalize('NFC').replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return truncateUtf8(cleaned, 255) || 'file';
}

/**
 * The storage key segment for a file name (architecture §5): NFC, no `/`, `\`, NUL or control characters, never `.`
 * or `..`, bounded length with the extension kept. `../../users.json` becomes `.._.._users.json`.
 */
export function safeStoredName(original: string): string {
  // eslint-disable-next-line no-control-regex
  let name = original.normalize('NFC').replace(/[/\\\u0000-\u001f\u007f]/g, '_').trim();
  if (name === '' || name === '.' || name === '..') name = `_${name}`;
  if (Buffer.byteLength(name, 'utf8') <= MAX_STORED_NAME_BYTES) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  return truncateUtf8(name.slice(0, name.length - extension.length), MAX_STORED_NAME_BYTES - Buffer.byteLength(extension)) + extension;
}

/** Makes `name` unique among `taken` (case-insensitively, for case-insensitive file systems) as `name (2).ext`. */
export function uniqueName(name: string, taken: Set<string>): string {
  const lower = (value: string) => value.toLowerCase();
  if (!taken.has(lower(name))) {
    taken.add(lower(name));
    return name;
  }
  const dot = name.lastIndexOf('.');
  const [stem, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let n = 2; ; n++) {
    const candidate = safeStoredName(`${stem} (${n})${extension}`);
    if (!taken.has(lower(candidate))) {
      taken.add(lower(candidate));
      return candidate;
    }
  }
}

function truncateUtf8(value: string, maxBytes: number): string {
  if (Buffer.byteLength(value, 'utf8') <= maxBytes) return value;
  let result = '';
  for (const char of value) {
    if (Buffer.byteLength(result + char, 'utf8') > maxBytes) break;
    result += char;
  }
  return result;
}
