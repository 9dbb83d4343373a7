import { createTransport, type Transporter } from 'nodemailer';
import type { MessageSender, OutgoingMessage } from './message.js';

/** Email through an SMTP server (`STUF_SMTP_URL`, e.g. `smtps://user:pass@mail.example.org:465`). */
export class SmtpSender implements MessageSender {
  readonly name = 'smtp';
  private readonly transport: Transporter;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    this.transport = createTransport(url);
  }

  async send(message: OutgoingMessage): Promise<void> {
    await this.transport.sendMail({ from: this.from, to: message.to, subject: message.subject, text: message.text });
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
