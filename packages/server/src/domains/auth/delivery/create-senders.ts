import path from 'node:path';
import type { Env } from '../../../env.js';
import type { Logger } from '../../../logger.js';
import type { MessageSender } from './message.js';
import { OutboxSender } from './outbox.js';
import { HttpSmsSender } from './sms-http.js';
import { SmtpSender } from './smtp.js';

export interface Senders {
  email: MessageSender;
  sms: MessageSender;
}

/** SMTP when STUF_SMTP_URL is set, the SMS provider when STUF_SMS_URL is set; the dev outbox otherwise. */
export function createSenders(env: Env, logger: Logger): Senders {
  const outbox = new OutboxSender(path.resolve(env.STUF_OUTBOX_DIR), logger);
  return {
    email: env.STUF_SMTP_URL ? new SmtpSender(env.STUF_SMTP_URL, env.STUF_EMAIL_FROM) : outbox,
    sms: env.STUF_SMS_URL
      ? new HttpSmsSender({ url: env.STUF_SMS_URL, username: env.STUF_SMS_USERNAME, password: env.STUF_SMS_PASSWORD, from: env.STUF_SMS_FROM ?? 'STUF' })
      : outbox,
  };
}
