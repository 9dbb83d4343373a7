import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Authorization headers, tokens, contact data and notification secrets (`apiKey`, `secret`) are
 * redacted wherever they appear, so a log line can be shipped anywhere.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'stuf' },
      redact: {
        paths: ['req.headers.authorization', 'headers.authorization', '*.token', '*.email', '*.phone', '*.ticket', '*.apiKey', '*.secret', 'token', 'email', 'phone', 'ticket', 'apiKey', 'secret'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
