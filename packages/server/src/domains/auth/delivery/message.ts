/** A one-time code on its way to a person. `to` and `text` are contact data and secrets: never logged. */
export interface OutgoingMessage {
  channel: 'email' | 'sms';
  to: string;
  subject?: string;
  text: string;
}

/** One way of delivering messages (dev outbox, SMTP, an SMS HTTP provider). */
export interface MessageSender {
  /** A short name for logs, e.g. `outbox` or `smtp`. */
  readonly name: string;
  send(message: OutgoingMessage): Promise<void>;
  close?(): Promise<void>;
}

/** The sign-in email: the code and how long it is valid. */
export function emailCodeMessage(to: string, code: string, projectName: string, ttlMinutes: number): OutgoingMessage {
  return {
    channel: 'email',
    to,
    subject: `${projectName} sign-in code: ${code}`,
    text: `Your ${projectName} sign-in code is ${code}\n\nIt is valid for ${ttlMinutes} minutes and can be used once. If you did not ask to sign in, ignore this message.\n`,
  };
}

/** The second-factor SMS. */
export function smsCodeMessage(to: string, code: string, projectName: string): OutgoingMessage {
  return { channel: 'sms', to, text: `${projectName} code: ${code}` };
}
