import type { IncomingMessage } from 'node:http';
import type { ClientInfo } from '../domains/auth/service.js';

/**
 * The client's address and user agent. X-Forwarded-For is believed only when STUF_TRUST_PROXY says a proxy sets it;
 * otherwise any client could pick its own address and dodge the per-client sign-in limit.
 */
export function clientInfo(req: IncomingMessage, trustProxy: boolean): ClientInfo {
  const forwarded = trustProxy ? String(req.headers['x-forwarded-for'] ?? '').split(',')[0]?.trim() : undefined;
  const userAgent = req.headers['user-agent'];
  return {
    ip: forwarded || req.socket.remoteAddress || null,
    userAgent: userAgent ? userAgent.slice(0, 256) : null,
  };
}
