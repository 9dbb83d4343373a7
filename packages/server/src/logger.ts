import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Authorization headers, tokens and contact data are redacted wherever they appear, so a log
 * line can be shipped anywhere.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'stuf' },
      redact: {
        paths: ['req.headers.authorization', 'headers.authorization', '*.token', '*.email', '*.phone', '*.ticket', 'token', 'email', 'phone', 'ticket'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
