import type { IncomingMessage } from 'node:http';

/** Headers that only a script can set (they force a CORS preflight), accepted as proof a request is not a CSRF. */
export const PREFLIGHT_HEADERS = ['graphql-preflight', 'x-graphql-yoga-csrf'] as const;

const SIMPLE_CONTENT_TYPES = ['multipart/form-data', 'application/x-www-form-urlencoded', 'text/plain'];

/**
 * True when a browser could send this request cross-site without a preflight (a "simple" POST) and it lacks a
 * preflight header — such requests are refused before any parsing or storage (architecture §9).
 */
export function isCsrfSuspect(req: IncomingMessage): boolean {
  if (req.method !== 'POST') return false;
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const simple = contentType === '' || SIMPLE_CONTENT_TYPES.includes(contentType);
  return simple && !PREFLIGHT_HEADERS.some((header) => typeof req.headers[header] === 'string' && req.headers[header] !== '');
}

/** True for a multipart/form-data request (the GraphQL multipart request spec). */
export function isMultipart(req: IncomingMessage): boolean {
  return (req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data');
}
