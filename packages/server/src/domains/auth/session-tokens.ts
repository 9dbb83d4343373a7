import { createHmac } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';

const ISSUER = 'stuf';
const SESSION_AUDIENCE = 'stuf:session';
const TICKET_AUDIENCE = 'stuf:sign-in-ticket';

/** What a sign-in ticket (proof of the email factor, good for the SMS step only) carries. */
export interface SignInTicket {
  userId: string;
  attemptId: string;
  emailIndex: string;
}

/**
 * Signed, short-lived tokens (HS256 via `jose`): sessions after sign-in, and tickets between the two factors. Nothing
 * is stored server-side, so replicas need only the shared key; whether the user may still act is checked per request.
 */
export class SessionTokens {
  private readonly key: Uint8Array;

  constructor(
    secret: Buffer,
    readonly sessionTtlSeconds: number,
    readonly ticketTtlSeconds: number,
    private readonly now: () => Date = () => new Date(),
  ) {
    // Derived, so the same secret never signs two kinds of things in the same way.
    this.key = createHmac('sha256', secret).update('stuf/jwt/v1').digest();
  }

  /** A session token for `userId`, and when it expires. */
  async issueSession(userId: string): Promise<{ token: string; expiresAt: Date }> {
    const issuedAt = Math.floor(this.now().getTime() / 1000);
    const expiresAt = new Date((issuedAt + this.sessionTtlSeconds) * 1000);
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(SESSION_AUDIENCE)
      .setSubject(userId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(this.key);
    return { token, expiresAt };
  }

  /** The user of a valid, unexpired session token; undefined for anything else. */
  async verifySession(token: string): Promise<{ userId: string } | undefined> {
    const payload = await this.verify(token, SESSION_AUDIENCE);
    return payload?.sub ? { userId: payload.sub } : undefined;
  }

  async issueTicket(ticket: SignInTicket): Promise<string> {
    const issuedAt = Math.floor(this.now().getTime() / 1000);
    return new SignJWT({ att: ticket.attemptId, idx: ticket.emailIndex })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(TICKET_AUDIENCE)
      .setSubject(ticket.userId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + this.ticketTtlSeconds)
      .sign(this.key);
  }

  async verifyTicket(token: string): Promise<SignInTicket | undefined> {
    const payload = await this.verify(token, TICKET_AUDIENCE);
    if (!payload?.sub || typeof payload.att !== 'string' || typeof payload.idx !== 'string') return undefined;
    return { userId: payload.sub, attemptId: payload.att, emailIndex: payload.idx };
  }

  private async verify(token: string, audience: string) {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, audience, algorithms: ['HS256'], currentDate: this.now() });
      return payload;
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) return undefined;
      throw error;
    }
  }
}
