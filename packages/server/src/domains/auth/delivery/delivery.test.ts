import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../logger.js';
import { emailCodeMessage, smsCodeMessage } from './message.js';
import { OutboxSender } from './outbox.js';
import { HttpSmsSender } from './sms-http.js';
import { SmtpSender } from './smtp.js';
import { startSmtpTestServer } from './smtp-test-server.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('sign-in code delivery', () => {
  it('writes each message as a JSON file into the dev outbox', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'stuf-outbox-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await new OutboxSender(dir, createLogger('silent')).send(emailCodeMessage('ada@example.org', '123456', 'STUF', 10));
    const [name] = await readdir(dir);
    expect(name).toMatch(/_email_.*\.json$/);
    const message = JSON.parse(await readFile(path.join(dir, name!), 'utf8'));
    expect(message).toMatchObject({ channel: 'email', to: 'ada@example.org' });
    expect(message.text).toContain('123456');
  });

  it('sends email through a real SMTP server', async () => {
    const smtp = await startSmtpTestServer();
    cleanups.push(() => smtp.close());
    const sender = new SmtpSender(smtp.url, 'STUF <no-reply@stuf.test>');
    cleanups.push(() => sender.close());
    await sender.send(emailCodeMessage('ada@example.org', '654321', 'STUF', 10));
    const mail = await smtp.waitFor('ada@example.org');
    expect(mail.from).toBe('no-reply@stuf.test');
    expect(mail.raw).toContain('654321');
  });

  it('sends SMS as a Twilio-compatible form POST with basic credentials', async () => {
    const requests: { req: IncomingMessage; body: string }[] = [];
    const provider = createServer(async (req, res) => {
      requests.push({ req, body: await text(req) });
      res.writeHead(201, { 'content-type': 'application/json' }).end('{"sid":"SM1"}');
    });
    await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => provider.close(resolve)));
    const url = `http://127.0.0.1:${(provider.address() as AddressInfo).port}/2010-04-01/Accounts/AC1/Messages.json`;
    await new HttpSmsSender({ url, username: 'AC1', password: 'secret', from: '+15550001111' }).send(smsCodeMessage('+41791234567', '111222', 'STUF'));
    expect(requests).toHaveLength(1);
    const { req, body } = requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from('AC1:secret').toString('base64')}`);
    expect(Object.fromEntries(new URLSearchParams(body))).toEqual({ To: '+41791234567', From: '+15550001111', Body: 'STUF code: 111222' });
  });

  it('reports an SMS provider failure by status only', async () => {
    const provider = createServer((_req, res) => res.writeHead(400).end('{"message":"bad number +41791234567"}'));
    await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => provider.close(resolve)));
    const sender = new HttpSmsSender({ url: `http://127.0.0.1:${(provider.address() as AddressInfo).port}/`, from: 'STUF' });
    await expect(sender.send(smsCodeMessage('+41791234567', '1', 'STUF'))).rejects.toThrow(/^SMS provider answered HTTP 400$/);
  });
});
