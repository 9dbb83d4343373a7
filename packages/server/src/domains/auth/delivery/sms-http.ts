import type { MessageSender, OutgoingMessage } from './message.js';

export interface HttpSmsOptions {
  /** e.g. `https://api.twilio.com/2010-04-01/Accounts/<AccountSid>/Messages.json`. */
  url: string;
  username?: string;
  password?: string;
  from: string;
  fetch?: typeof fetch;
}

/**
 * SMS through an HTTP provider, as a Twilio-compatible request: a form-encoded POST of `To`, `From` and `Body` with
 * HTTP Basic credentials. Any 2xx answer is success.
 */
export class HttpSmsSender implements MessageSender {
  readonly name = 'sms-http';

  constructor(private readonly options: HttpSmsOptions) {}

  async send(message: OutgoingMessage): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (this.options.username !== undefined) {
      headers.authorization = `Basic ${Buffer.from(`${this.options.username}:${this.options.password ?? ''}`).toString('base64')}`;
    }
    const response = await (this.options.fetch ?? fetch)(this.options.url, {
      method: 'POST',
      headers,
      body: new URLSearchParams({ To: message.to, From: this.options.from, Body: message.text }),
      signal: AbortSignal.timeout(15_000),
    });
    // The provider's answer may echo the number and the text: only the status is reported.
    await response.body?.cancel();
    if (!response.ok) throw new Error(`SMS provider answered HTTP ${response.status}`);
  }
}
