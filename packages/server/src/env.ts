import { z } from 'zod';
import { parseKeyringSpec, type KeyringKey } from './crypto/keyring.js';

const GiB = 1024 ** 3;

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const positiveInt = z.coerce.number().int().positive();

/** `<id>:<base64 key>,…`, newest first; parsed here so a bad keyring stops the server before it touches data. */
const keyring = z.string().transform((spec, ctx): KeyringKey[] => {
  try {
    return parseKeyringSpec(spec);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

/** Every environment variable STUF reads (architecture §7). Unknown STUF_* variables are rejected to catch typos. */
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().default('0.0.0.0'),
  /** Origin used to build absolute download URLs; default `http://localhost:<port>`. */
  STUF_PUBLIC_URL: z.url().optional(),
  STUF_STORAGE: z.enum(['fs', 's3']).default('fs'),
  STUF_DATA_DIR: z.string().min(1).default('./.stuf-data'),
  S3_BUCKET: z.string().optional(),
  S3_ENDPOINT: z.url().optional(),
  S3_REGION: z.string().optional(),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_FORCE_PATH_STYLE: bool.optional(),
  /** Create the bucket at startup when it does not exist (handy for local stores; production buckets are provisioned). */
  S3_CREATE_BUCKET: bool.default(false),
  S3_SSE: z.enum(['SSE-S3', 'SSE-KMS']).optional(),
  S3_SSE_KMS_KEY_ID: z.string().optional(),
  S3_PART_SIZE_MB: positiveInt.optional(),
  S3_QUEUE_SIZE: positiveInt.optional(),
  STUF_ADMIN_TOKEN: z.string().min(16, 'STUF_ADMIN_TOKEN must be at least 16 characters').optional(),
  /** Secret for signing download URLs; default: generated once and kept in the bucket (config/server_secrets.json). */
  STUF_URL_SIGNING_SECRET: z.string().min(32, 'STUF_URL_SIGNING_SECRET must be at least 32 characters').optional(),
  STUF_DOWNLOAD_URL_TTL_SECONDS: positiveInt.default(900),
  STUF_MAX_FILE_SIZE: positiveInt.default(5 * GiB),
  STUF_MAX_FILES: positiveInt.default(20),
  STUF_MAX_QUERY_DEPTH: positiveInt.default(12),
  STUF_MAX_JSON_BODY_BYTES: positiveInt.default(1024 * 1024),
  STUF_MAX_METADATA_BYTES: positiveInt.default(64 * 1024),
  STUF_CORS_ORIGIN: z.string().default('*'),
  STUF_SHUTDOWN_TIMEOUT_MS: positiveInt.default(10_000),
  /** Contact-data keyring; unset: a development key generated once and kept in the bucket (config/server_secrets.json). */
  STUF_ENCRYPTION_KEYS: keyring.optional(),
  /** Signs session tokens; unset: generated once and kept in the bucket, shared by every replica. */
  STUF_SESSION_SECRET: z.string().min(32, 'STUF_SESSION_SECRET must be at least 32 characters').optional(),
  STUF_SESSION_TTL_SECONDS: positiveInt.default(1800),
  STUF_SIGN_IN_CODE_TTL_SECONDS: positiveInt.default(600),
  /** Wrong codes in a row that lock sign-in for an email address, and for how long. */
  STUF_SIGN_IN_MAX_FAILURES: positiveInt.default(10),
  STUF_SIGN_IN_LOCKOUT_SECONDS: positiveInt.default(900),
  /** Sign-in requests per email address, and sign-in steps per client address, per window. */
  STUF_SIGN_IN_EMAIL_LIMIT: positiveInt.default(5),
  STUF_SIGN_IN_CLIENT_LIMIT: positiveInt.default(200),
  STUF_SIGN_IN_WINDOW_SECONDS: positiveInt.default(900),
  /** Take the client address from X-Forwarded-For (only behind a proxy that sets it). */
  STUF_TRUST_PROXY: bool.default(false),
  /** Dev delivery: sign-in messages become files here (outside the bucket) unless SMTP/SMS are configured. */
  STUF_OUTBOX_DIR: z.string().min(1).default('./.stuf-outbox'),
  STUF_SMTP_URL: z.string().regex(/^smtps?:\/\//, 'STUF_SMTP_URL must be smtp://… or smtps://…').optional(),
  STUF_EMAIL_FROM: z.string().default('STUF <no-reply@localhost>'),
  STUF_SMS_URL: z.url().optional(),
  STUF_SMS_USERNAME: z.string().optional(),
  STUF_SMS_PASSWORD: z.string().optional(),
  STUF_SMS_FROM: z.string().optional(),
  /** How often each replica revalidates config/*.json with a conditional GET (changes made elsewhere apply this fast). */
  STUF_CONFIG_REFRESH_MS: positiveInt.default(5_000),
  /** Notification delivery (Zulip, webhook): attempts per message, first backoff step, and per-attempt timeout. */
  STUF_NOTIFY_MAX_ATTEMPTS: positiveInt.default(6),
  STUF_NOTIFY_RETRY_BASE_MS: positiveInt.default(1_000),
  STUF_NOTIFY_TIMEOUT_MS: positiveInt.default(10_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.infer<typeof envSchema>;

/** Thrown for invalid configuration; main prints the message and exits without a stack trace. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Settings of the `stuf` CLI (which also runs the server, `stuf serve`): not the server's, but not typos either. */
const CLIENT_SETTINGS = new Set(['STUF_URL', 'STUF_TOKEN']);

/** Parses and validates the environment once; fails fast with every problem listed. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const unknown = Object.keys(source).filter((name) => name.startsWith('STUF_') && !(name in envSchema.shape) && !CLIENT_SETTINGS.has(name));
  if (unknown.length > 0) throw new ConfigError(`Unknown setting(s): ${unknown.join(', ')}`);
  const relevant = Object.fromEntries(
    Object.keys(envSchema.shape).flatMap((name) => (source[name] === undefined || source[name] === '' ? [] : [[name, source[name]]])),
  );
  const parsed = envSchema.safeParse(relevant);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n');
    throw new ConfigError(`Invalid configuration:\n${problems}`);
  }
  const env = parsed.data;
  if (env.STUF_STORAGE === 's3' && !env.S3_BUCKET) throw new ConfigError('STUF_STORAGE=s3 needs S3_BUCKET');
  if (env.S3_SSE === 'SSE-KMS' && !env.S3_SSE_KMS_KEY_ID) throw new ConfigError('S3_SSE=SSE-KMS needs S3_SSE_KMS_KEY_ID');
  return env;
}
