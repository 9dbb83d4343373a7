import { describe, expect, it } from 'vitest';
import { contentDisposition, DownloadLinks } from './download-links.js';

const KEY = Buffer.alloc(32, 7);

function linksAt(time: { now: number }) {
  return new DownloadLinks(KEY, () => 'http://stuf.test', 60, undefined, () => time.now);
}

describe('signed download links', () => {
  it('accepts a fresh link and names the file it points at', () => {
    const time = { now: 1_000_000 };
    const links = linksAt(time);
    const verdict = links.verify(new URL(links.routeUrlFor('u1', "rapport d'été №2.pdf")));
    expect(verdict).toMatchObject({ ok: true, ref: { uploadId: 'u1', storedName: "rapport d'été №2.pdf" } });
  });

  it('refuses a link once its TTL has passed', () => {
    const time = { now: 1_000_000 };
    const links = linksAt(time);
    const url = new URL(links.routeUrlFor('u1', 'a.txt'));
    time.now += 61_000;
    expect(links.verify(url)).toEqual({ ok: false, status: 403, reason: 'Link expired' });
  });

  it('refuses a link signed with another key', () => {
    const time = { now: 1_000_000 };
    const other = new DownloadLinks(Buffer.alloc(32, 8), () => 'http://stuf.test', 60, undefined, () => time.now);
    expect(linksAt(time).verify(new URL(other.routeUrlFor('u1', 'a.txt')))).toMatchObject({ ok: false, status: 403 });
  });

  it('refuses a link whose file name was changed', () => {
    const time = { now: 1_000_000 };
    const links = linksAt(time);
    const url = new URL(links.routeUrlFor('u1', 'a.txt'));
    url.pathname = url.pathname.replace('a.txt', 'b.txt');
    expect(links.verify(url)).toMatchObject({ ok: false, status: 403 });
  });

  it('uses the store presigner when the driver has one', async () => {
    const calls: unknown[] = [];
    const links = new DownloadLinks(KEY, () => 'http://stuf.test', 60, {
      presignGet: async (key, options) => {
        calls.push({ key, options });
        return `https://s3.test/${key}`;
      },
    });
    const url = await links.urlFor({ uploadId: 'u1', storedName: 'a.txt', name: 'a.txt', contentType: 'text/plain' });
    expect(url).toBe('https://s3.test/uploads/u1/data/a.txt');
    expect(calls).toEqual([{ key: 'uploads/u1/data/a.txt', options: { expiresInSeconds: 60, contentDisposition: contentDisposition('a.txt'), contentType: 'text/plain' } }]);
  });
});

describe('Content-Disposition', () => {
  it('has an ASCII fallback and an RFC 5987 filename* for non-ASCII names', () => {
    expect(contentDisposition("rapport d'été №2.pdf")).toBe("attachment; filename=\"rapport d'ete No2.pdf\"; filename*=UTF-8''rapport%20d%27%C3%A9t%C3%A9%20%E2%84%962.pdf");
  });

  it('cannot be used for header injection', () => {
    const header = contentDisposition('a"; x=1\r\nSet-Cookie: y.txt');
    expect(header).not.toMatch(/[\r\n]/);
    expect(/filename="([^"]*)"/.exec(header)![1]).toBe('a_; x=1__Set-Cookie: y.txt');
  });
});
