import { createHmac, timingSafeEqual } from 'node:crypto';
import type { StorageDriver } from '../../storage/driver.js';
import { uploadDataKey } from '../../storage/keys.js';

export interface SignedFileRef {
  uploadId: string;
  storedName: string;
  /** Unix seconds after which the link is refused. */
  expires: number;
}

/** Route prefix of the plain-HTTP download route (http/download-route.ts). */
export const DOWNLOAD_PATH_PREFIX = '/files/';

/**
 * Signed, expiring download links, so a browser can follow `downloadUrl` without an Authorization header. On a store
 * that presigns (S3) the link points at the store itself, with the right `Content-Disposition`; otherwise at the
 * server's download route, where an HMAC-SHA256 over upload id, stored name and expiry is checked.
 */
export class DownloadLinks {
  constructor(
    private readonly key: Buffer,
    private readonly publicUrl: () => string,
    private readonly ttlSeconds: number,
    private readonly driver?: Pick<StorageDriver, 'presignGet'>,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** An absolute URL for one stored file, valid for the configured TTL. */
  async urlFor(file: { uploadId: string; storedName: string; name: string; contentType: string }): Promise<string> {
    if (this.driver?.presignGet) {
      return this.driver.presignGet(uploadDataKey(file.uploadId, file.storedName), {
        expiresInSeconds: this.ttlSeconds,
        contentDisposition: contentDisposition(file.name),
        contentType: file.contentType,
      });
    }
    return this.routeUrlFor(file.uploadId, file.storedName);
  }

  /** A link to the server's own download route (used when the store cannot presign). */
  routeUrlFor(uploadId: string, storedName: string): string {
    const expires = Math.floor(this.now() / 1000) + this.ttlSeconds;
    const signature = this.sign({ uploadId, storedName, expires });
    const path = `${DOWNLOAD_PATH_PREFIX}${encodeURIComponent(uploadId)}/${encodeURIComponent(storedName)}`;
    return `${this.publicUrl()}${path}?expires=${expires}&signature=${signature}`;
  }

  /** Parses and checks a download request URL; returns the file reference or the reason it is refused. */
  verify(url: URL): { ok: true; ref: SignedFileRef } | { ok: false; status: 403 | 404; reason: string } {
    const segments = url.pathname.slice(DOWNLOAD_PATH_PREFIX.length).split('/');
    if (segments.length !== 2) return { ok: false, status: 404, reason: 'Not found' };
    let uploadId: string;
    let storedName: string;
    try {
      [uploadId, storedName] = segments.map((segment) => decodeURIComponent(segment)) as [string, string];
    } catch {
      return { ok: false, status: 404, reason: 'Not found' };
    }
    const expires = Number(url.searchParams.get('expires'));
    const signature = url.searchParams.get('signature') ?? '';
    if (!Number.isSafeInteger(expires)) return { ok: false, status: 403, reason: 'Missing or malformed expiry' };
    const expected = Buffer.from(this.sign({ uploadId, storedName, expires }), 'base64url');
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, status: 403, reason: 'Invalid signature' };
    if (expires * 1000 < this.now()) return { ok: false, status: 403, reason: 'Link expired' };
    return { ok: true, ref: { uploadId, storedName, expires } };
  }

  private sign(ref: SignedFileRef): string {
    return createHmac('sha256', this.key).update(`download\n${ref.uploadId}\n${ref.storedName}\n${ref.expires}`).digest('base64url');
  }
}

/**
 * RFC 6266 `Content-Disposition` with an ASCII fallback and an RFC 5987 `filename*`; quotes, backslashes and control
 * characters never reach the header, so no header injection is possible.
 */
export function contentDisposition(name: string, type: 'attachment' | 'inline' = 'attachment'): string {
  // eslint-disable-next-line no-control-regex
  const ascii = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
