import { createHmac, randomInt } from 'node:crypto';
import { sameDigest } from './tokens.js';

/** A random 6-digit one-time code (guessing is bounded by the lockout, not by the code length). */
export function generateCode(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, '0');
}

/**
 * Keyed hashes of one-time codes and client addresses. Keyed (HMAC), because a 6-digit code hashed without a secret
 * is reversed by trying all million values; whoever reads the bucket without the server's key learns nothing.
 */
export class CodeHasher {
  private readonly key: Buffer;

  constructor(secret: Buffer) {
    this.key = createHmac('sha256', secret).update('stuf/sign-in-codes/v1').digest();
  }

  /** The stored form of a code, bound to its attempt and factor so it cannot be replayed elsewhere. */
  hashCode(attemptId: string, stage: string, code: string): string {
    return createHmac('sha256', this.key).update(`code\n${attemptId}\n${stage}\n${code.trim()}`).digest('hex');
  }

  matches(attemptId: string, stage: string, code: string, stored: string): boolean {
    return sameDigest(this.hashCode(attemptId, stage, code), stored);
  }

  /** A client address as a key segment (never the address itself). */
  hashAddress(address: string): string {
    return createHmac('sha256', this.key).update(`client\n${address}`).digest('hex').slice(0, 40);
  }
}
