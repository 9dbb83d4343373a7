import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateApiTokenDocument,
  CreateUserDocument,
  RequestSignInDocument,
  UpdateUserDocument,
  UserDocument,
  VerifyEmailCodeDocument,
  VerifySmsCodeDocument,
  type GraphQL,
  type ImportUsersResult,
  type StufClient,
} from '@stuf/sdk/node';
import { loadEnv } from '../../packages/server/src/env.js';
import { createLogger } from '../../packages/server/src/logger.js';
import { startServer, type RunningServer } from '../../packages/server/src/http/server.js';
import type { StorageDriver } from '../../packages/server/src/storage/driver.js';
import { createFsDriver } from '../../packages/server/src/storage/fs-driver.js';
import type { TestBackend } from './backends.js';
import { clientFor } from './client.js';
import { ADMIN_TOKEN } from './server.js';

/** A fresh contact-data key for STUF_ENCRYPTION_KEYS. */
export const newKey = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;

/** The driver without `close`, so a server can be stopped and another started on the same bucket. */
function keepOpen(driver: StorageDriver): StorageDriver {
  return {
    name: driver.name,
    get: (key, options) => driver.get(key, options),
    head: (key) => driver.head(key),
    put: (key, body, options) => driver.put(key, body, options),
    delete: (key, options) => driver.delete(key, options),
    list: (prefix, options) => driver.list(prefix, options),
    ...(driver.presignGet ? { presignGet: driver.presignGet.bind(driver) } : {}),
    close: async () => undefined,
  };
}

export interface UsersTestServer {
  url: string;
  server: RunningServer;
  driver: StorageDriver;
  /** The fs bucket's root (fs backend only). */
  dataDir?: string;
  /** Where the dev outbox writes sign-in messages. */
  outboxDir: string;
  admin: StufClient;
  /** Stops this server and starts another on the same bucket with `env` changed (e.g. a new keyring). */
  restart(env: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The real server on port 0 over a fresh bucket, with a dev outbox in its own folder (outside the bucket) and sign-in
 * limits generous enough for tests that sign in many times from one address.
 */
export async function startUsersTestServer(backend: TestBackend, extraEnv: Record<string, string> = {}): Promise<UsersTestServer> {
  const bucket = await backend.create();
  const outboxDir = await mkdtemp(path.join(tmpdir(), 'stuf-outbox-'));
  let env: Record<string, string> = {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    STUF_ADMIN_TOKEN: ADMIN_TOKEN,
    STUF_OUTBOX_DIR: outboxDir,
    STUF_SIGN_IN_CLIENT_LIMIT: '100000',
    ...bucket.env,
    ...extraEnv,
  };
  const driver = keepOpen(bucket.driver);
  const start = async () => startServer({ env: loadEnv(env), driver, logger: createLogger(env.LOG_LEVEL!) });
  const handle: UsersTestServer = {
    server: await start(),
    get url() {
      return this.server.url;
    },
    driver,
    dataDir: bucket.dataDir,
    outboxDir,
    admin: undefined as never,
    async restart(changes) {
      await handle.server.close();
      env = { ...env, ...changes };
      handle.server = await start();
      handle.admin = clientFor(handle.server);
    },
    async stop() {
      await handle.server.close();
      await bucket.cleanup();
      await rm(outboxDir, { recursive: true, force: true });
    },
  };
  handle.admin = clientFor(handle.server);
  return handle;
}

/**
 * Every object in the bucket as text. On fs: every file under the root, read from disk, including temporary and lock
 * files the driver does not list; on S3: every object the bucket lists.
 */
export async function bucketTexts(server: UsersTestServer): Promise<{ key: string; text: string }[]> {
  const texts: { key: string; text: string }[] = [];
  if (server.dataDir) {
    for (const entry of await readdir(server.dataDir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const file = path.join(entry.parentPath, entry.name);
      texts.push({ key: path.relative(server.dataDir, file).split(path.sep).join('/'), text: await readFile(file, 'utf8') });
    }
    return texts;
  }
  for await (const object of server.driver.list('')) {
    const result = await server.driver.get(object.key);
    if (!result.notModified) texts.push({ key: object.key, text: await text(result.body) });
  }
  return texts;
}

export type CreatedUser = Extract<GraphQL.CreateUserMutation['createUser'], { __typename: 'CreateUserPayload' }>['user'];

/** Creates a user as admin; fails the test with the typed error otherwise. */
export async function createUser(admin: StufClient, input: GraphQL.CreateUserInput): Promise<CreatedUser> {
  const { createUser: result } = await admin.request(CreateUserDocument, { input });
  if (result.__typename !== 'CreateUserPayload') throw new Error(`createUser failed: ${result.__typename} ${result.message}`);
  return result.user;
}

/** Changes a user as admin at its current revision. */
export async function updateUser(admin: StufClient, id: string, patch: Omit<GraphQL.UpdateUserInput, 'id' | 'revision'>) {
  const { user } = await admin.request(UserDocument, { id });
  const { updateUser: result } = await admin.request(UpdateUserDocument, { input: { id, revision: user!.revision, ...patch } });
  if (result.__typename !== 'UpdateUserPayload') throw new Error(`updateUser failed: ${result.__typename} ${result.message}`);
  return result.user;
}

/** Issues an API token for `userId` and answers its secret. */
export async function apiTokenFor(admin: StufClient, userId: string, label = 'test'): Promise<{ token: string; id: string }> {
  const { createApiToken: result } = await admin.request(CreateApiTokenDocument, { input: { userId, label } });
  if (result.__typename !== 'CreateApiTokenPayload') throw new Error(`createApiToken failed: ${result.__typename} ${result.message}`);
  return { token: result.token, id: result.apiToken.id };
}

interface OutboxMessage {
  channel: 'email' | 'sms';
  to: string;
  subject?: string;
  text: string;
}

/**
 * Waits until the dev outbox has a message for `to` beyond the first `skip` ones, and answers its code. Delivery runs
 * in the background (so that the sign-in answer does not reveal whether an address is known); this polls, bounded.
 */
export async function outboxCode(outboxDir: string, channel: 'email' | 'sms', to: string, skip = 0): Promise<string> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const messages = await outboxMessages(outboxDir, channel, to);
    if (messages.length > skip) return /\b(\d{6})\b/.exec(messages[skip]!.text)![1]!;
    await sleep(25);
  }
  throw new Error(`no ${channel} message for ${to} in the outbox`);
}

/** The outbox messages of one channel to one recipient, oldest first. */
export async function outboxMessages(outboxDir: string, channel: 'email' | 'sms', to: string): Promise<OutboxMessage[]> {
  const names = (await readdir(outboxDir).catch(() => [] as string[])).filter((name) => name.endsWith('.json')).sort();
  const messages = await Promise.all(names.map(async (name) => JSON.parse(await readFile(path.join(outboxDir, name), 'utf8')) as OutboxMessage));
  return messages.filter((message) => message.channel === channel && message.to === to);
}

/**
 * The whole participant sign-in through the SDK: request → email code (from `emailCode`, default the outbox) → SMS
 * code from the outbox → session token.
 */
export async function signIn(
  server: UsersTestServer,
  email: string,
  phone: string,
  options: { emailCode?: () => Promise<string> } = {},
): Promise<string> {
  const anonymous = clientFor(server, { token: null });
  const emailsBefore = (await outboxMessages(server.outboxDir, 'email', email)).length;
  const smsBefore = (await outboxMessages(server.outboxDir, 'sms', phone)).length;
  const { requestSignIn } = await anonymous.request(RequestSignInDocument, { input: { email } });
  if (requestSignIn.__typename !== 'RequestSignInPayload') throw new Error(`requestSignIn: ${requestSignIn.__typename}`);
  const emailCode = options.emailCode ? await options.emailCode() : await outboxCode(server.outboxDir, 'email', email, emailsBefore);
  const { verifyEmailCode } = await anonymous.request(VerifyEmailCodeDocument, { input: { email, code: emailCode } });
  if (verifyEmailCode.__typename !== 'VerifyEmailCodePayload') throw new Error(`verifyEmailCode: ${verifyEmailCode.__typename} ${verifyEmailCode.message}`);
  const smsCode = await outboxCode(server.outboxDir, 'sms', phone, smsBefore);
  const { verifySmsCode } = await anonymous.request(VerifySmsCodeDocument, { input: { ticket: verifyEmailCode.ticket, code: smsCode } });
  if (verifySmsCode.__typename !== 'SignInSession') throw new Error(`verifySmsCode: ${verifySmsCode.__typename} ${verifySmsCode.message}`);
  return verifySmsCode.token;
}

export type ImportResult = ImportUsersResult;

/** `importUsers` with a CSV file through the SDK (request-level failures throw a `StufError` with `code`). */
export async function importUsers(url: string, csv: string, options: { dryRun?: boolean; token?: string | null } = {}): Promise<ImportResult> {
  const client = clientFor({ url }, { token: options.token === null ? null : (options.token ?? ADMIN_TOKEN) });
  return client.importUsers(new File([csv], 'users.csv', { type: 'text/csv' }), { dryRun: options.dryRun ?? false });
}
