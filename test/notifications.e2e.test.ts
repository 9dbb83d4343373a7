import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StufClient } from '@stuf/sdk/node';
import { backends } from './helpers/backends.js';
import { clientFor, file, uploaded } from './helpers/client.js';
import { editStufConfig } from './helpers/config-fixtures.js';
import { eventually } from './helpers/poll.js';
import { deadUrl, startReceiver, type ReceivedRequest, type Receiver } from './helpers/receiver.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const ZULIP_KEY = 'zulip-bot-api-key-0123456789';
const BOT_EMAIL = 'stuf-bot@zulip.example.org';
const WEBHOOK_SECRET = 'webhook-signing-secret-0123456789';

/** What a receiver verifying STUF's webhook signature computes: HMAC-SHA256 over "<timestamp>.<raw body>". */
function correctlySigned(request: ReceivedRequest): boolean {
  const timestamp = String(request.headers['x-stuf-timestamp']);
  const expected = Buffer.from(`sha256=${createHmac('sha256', WEBHOOK_SECRET).update(`${timestamp}.${request.body}`).digest('hex')}`);
  const given = Buffer.from(String(request.headers['x-stuf-signature']));
  return given.length === expected.length && timingSafeEqual(given, expected) && Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
}

/** Points both notification channels at `url` (Zulip's API lives under /api/v1/, the webhook at /hook). */
function notifyAt(url: string) {
  return (config: any) => {
    config.notifications = {
      zulip: { siteUrl: url, botEmail: BOT_EMAIL, apiKey: ZULIP_KEY, stream: 'stuf uploads', topic: 'new uploads' },
      webhook: { url: `${url}/hook`, secret: WEBHOOK_SECRET },
    };
  };
}

for (const backend of await backends()) {
  describe(`notifications after uploads, on ${backend.name}`, () => {
    let server: TestServer;
    let stuf: StufClient;
    let receiver: Receiver;
    beforeAll(async () => {
      server = await startTestServer(backend, { LOG_LEVEL: 'info', STUF_NOTIFY_MAX_ATTEMPTS: '2', STUF_NOTIFY_RETRY_BASE_MS: '20', STUF_NOTIFY_TIMEOUT_MS: '60000' }, { captureLogs: true });
      stuf = clientFor(server);
    });
    afterAll(() => server?.stop());
    beforeEach(async () => {
      receiver = await startReceiver();
      await editStufConfig(stuf, notifyAt(receiver.url));
    });
    afterEach(() => receiver.close());

    const webhooks = () => receiver.requests.filter((request) => request.path === '/hook');
    const zulipMessages = () => receiver.requests.filter((request) => request.path === '/api/v1/messages');

    it('sends one correctly signed webhook per upload', async () => {
      const first = uploaded(await stuf.createUpload({ files: [file('one.txt', '1')], metadata: { collection: 'hooks' } }));
      const second = uploaded(await stuf.createUpload({ files: [file('two.txt', '2')] }));
      const received = await eventually(() => webhooks().length >= 2 && webhooks(), { message: 'two webhooks' });
      expect(received.every(correctlySigned)).toBe(true);
      const bodies = received.map((request) => JSON.parse(request.body));
      expect(bodies.map((body) => body.upload.id).sort()).toEqual([first.id, second.id].sort());
      expect(bodies[0]).toMatchObject({ event: 'upload.created', deliveryId: received[0]!.headers['x-stuf-delivery'], upload: { files: [{ name: expect.any(String), sha256: expect.any(String) }] } });
      expect(received[0]!.headers['content-type']).toBe('application/json');
      expect(received[0]!.headers['x-stuf-event']).toBe('upload.created');
    });

    it('sends one Zulip stream message per upload through the REST API with the bot credentials', async () => {
      const first = uploaded(await stuf.createUpload({ files: [file('report.pdf', '%PDF')] }));
      const second = uploaded(await stuf.createUpload({ files: [file('data.csv', 'a,b')] }));
      const received = await eventually(() => zulipMessages().length >= 2 && zulipMessages(), { message: 'two Zulip messages' });
      for (const request of received) {
        expect(request.method).toBe('POST');
        expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
        expect(request.headers.authorization).toBe(`Basic ${Buffer.from(`${BOT_EMAIL}:${ZULIP_KEY}`).toString('base64')}`);
      }
      const forms = received.map((request) => Object.fromEntries(new URLSearchParams(request.body)));
      expect(forms.map(({ type, to, topic }) => ({ type, to, topic }))).toEqual([
        { type: 'stream', to: 'stuf uploads', topic: 'new uploads' },
        { type: 'stream', to: 'stuf uploads', topic: 'new uploads' },
      ]);
      const contents = forms.map((form) => form.content!).join('\n');
      expect(contents).toContain(first.id);
      expect(contents).toContain(second.id);
      expect(contents).toContain('`report.pdf`');
    });

    it('retries a receiver that fails once, and delivers', async () => {
      receiver.answerNext('/hook', [503]);
      const { id } = uploaded(await stuf.createUpload({ files: [file('retry.txt', 'r')] }));
      const hooks = await eventually(() => webhooks().length >= 2 && webhooks(), { message: 'a retry' });
      expect(hooks.map((request) => JSON.parse(request.body).upload.id)).toEqual([id, id]);
      expect(new Set(hooks.map((request) => request.headers['x-stuf-delivery'])).size).toBe(1);
      expect(hooks.every(correctlySigned)).toBe(true);
    });

    it('answers the upload without waiting for a receiver that never answers', async () => {
      // Held requests would keep an upload that waited for them from ever finishing (per-attempt timeout: 60 s).
      receiver.respondWith('hold');
      const { id } = uploaded(await stuf.createUpload({ files: [file('slow.txt', 's')] }));
      const held = await eventually(() => webhooks().length >= 1 && webhooks(), { message: 'the held webhook' });
      expect(JSON.parse(held[0]!.body).upload.id).toBe(id);
    });

    it('still stores uploads when the receiver is down, and logs the failure without secrets', async () => {
      await editStufConfig(stuf, notifyAt(await deadUrl()));
      const { id } = uploaded(await stuf.createUpload({ files: [file('down.txt', 'd')] }));
      expect((await stuf.upload(id))?.id).toBe(id);
      const failures = await eventually(
        () => {
          const lines = server.logs().filter((line) => line.msg === 'notification failed' && line.uploadId === id);
          return lines.length === 2 && lines;
        },
        { message: 'both failures logged' },
      );
      expect(failures.map((line) => line.channel).sort()).toEqual(['webhook', 'zulip']);
      expect(failures.every((line) => line.level === 50 && line.attempts === 2 && line.error === 'ECONNREFUSED')).toBe(true);
      const everything = JSON.stringify(server.logs());
      for (const secret of [ZULIP_KEY, WEBHOOK_SECRET, Buffer.from(`${BOT_EMAIL}:${ZULIP_KEY}`).toString('base64')]) expect(everything).not.toContain(secret);
    });
  });
}
