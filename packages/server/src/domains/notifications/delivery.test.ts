import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deliver, type AttemptOutcome, type DeliveryOptions } from './delivery.js';

describe('notification delivery', () => {
  let server: Server;
  let url: string;
  let answers: { status: number; headers?: Record<string, string> }[];
  let received: number;
  beforeEach(async () => {
    answers = [];
    received = 0;
    server = createServer((req, res) => {
      req.resume().on('end', () => {
        received++;
        const answer = answers.shift() ?? { status: 200 };
        res.writeHead(answer.status, answer.headers).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterEach(() => new Promise((resolve) => server.close(resolve)));

  const options = (overrides: Partial<DeliveryOptions> = {}): DeliveryOptions => ({
    maxAttempts: 4,
    baseDelayMs: 1,
    timeoutMs: 5_000,
    fetch,
    signal: new AbortController().signal,
    ...overrides,
  });
  const request = () => ({ url, headers: { 'content-type': 'application/json' }, body: '{}' });

  it('retries 5xx and 429 answers until one succeeds', async () => {
    answers = [{ status: 500 }, { status: 429 }, { status: 503 }];
    const retries: AttemptOutcome[] = [];
    expect(await deliver(request, options(), (_attempt, outcome) => retries.push(outcome))).toEqual({ delivered: true, attempts: 4 });
    expect(retries.map((outcome) => !outcome.ok && outcome.status)).toEqual([500, 429, 503]);
  });

  it('does not retry a permanent refusal', async () => {
    answers = [{ status: 401 }];
    const result = await deliver(request, options(), () => undefined);
    expect(result).toEqual({ delivered: false, attempts: 1, last: { ok: false, retryable: false, status: 401, retryAfterMs: undefined } });
    expect(received).toBe(1);
  });

  it('gives up after the last attempt', async () => {
    answers = [{ status: 502 }, { status: 502 }];
    expect(await deliver(request, options({ maxAttempts: 2 }), () => undefined)).toMatchObject({ delivered: false, attempts: 2, last: { status: 502 } });
  });

  it('plans to wait at least as long as Retry-After asks', async () => {
    answers = [{ status: 503, headers: { 'retry-after': '120' } }];
    const delays: number[] = [];
    // Shut down as soon as the wait is planned: the test needs the plan, not the wait.
    const shutdown = new AbortController();
    await deliver(request, options({ signal: shutdown.signal }), (_attempt, _outcome, delayMs) => {
      delays.push(delayMs);
      shutdown.abort();
    });
    expect(delays).toEqual([expect.any(Number)]);
    expect(delays[0]).toBeGreaterThanOrEqual(120_000);
  });

  it('reports an unreachable receiver by error code, retryable', async () => {
    // A port that was just free: the receiver is down.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const result = await deliver(() => ({ ...request(), url: `http://127.0.0.1:${port}/hook` }), options({ maxAttempts: 1 }), () => undefined);
    expect(result).toEqual({ delivered: false, attempts: 1, last: { ok: false, retryable: true, error: 'ECONNREFUSED' } });
  });

  it('stops waiting for a retry on shutdown', async () => {
    answers = [{ status: 503, headers: { 'retry-after': '3600' } }];
    const shutdown = new AbortController();
    const result = deliver(request, options({ signal: shutdown.signal }), () => shutdown.abort());
    expect(await result).toMatchObject({ delivered: false, attempts: 1 });
  });
});
