import { createHmac } from 'node:crypto';
import type { UploadDocument } from '../uploads/documents.js';
import type { OutgoingRequest } from './delivery.js';

/** Headers of a webhook request; receivers verify `X-Stuf-Signature` over `<X-Stuf-Timestamp>.<raw body>`. */
export const WEBHOOK_HEADERS = {
  event: 'x-stuf-event',
  delivery: 'x-stuf-delivery',
  timestamp: 'x-stuf-timestamp',
  signature: 'x-stuf-signature',
} as const;

/** The JSON body of an `upload.created` event (the same for every attempt of one delivery). */
export function uploadCreatedPayload(upload: UploadDocument, deliveryId: string, projectName: string): string {
  return JSON.stringify({
    event: 'upload.created',
    deliveryId,
    project: projectName,
    upload: {
      id: upload.id,
      createdAt: upload.createdAt,
      uploader: upload.uploader,
      files: upload.files.map(({ name, size, contentType, sha256 }) => ({ name, size, contentType, sha256 })),
      metadata: upload.metadata,
      legalDeclaration: upload.legalDeclaration ?? null,
    },
  });
}

/** `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`: the timestamp is signed too, so old requests cannot be replayed as new. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** One signed attempt; signed at send time so a retry carries a fresh timestamp. */
export function webhookRequest(url: string, secret: string, event: string, deliveryId: string, body: string, now: Date): OutgoingRequest {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return {
    url,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'STUF',
      [WEBHOOK_HEADERS.event]: event,
      [WEBHOOK_HEADERS.delivery]: deliveryId,
      [WEBHOOK_HEADERS.timestamp]: timestamp,
      [WEBHOOK_HEADERS.signature]: webhookSignature(secret, timestamp, body),
    },
    body,
  };
}
