import { expect, it } from 'vitest';
import { NotFoundError, PreconditionFailedError } from '../errors.js';
import type { ConformanceContext } from './helpers.js';
import { getBytes } from './helpers.js';

/** Conditional reads, writes and deletes (optimistic concurrency through ETags). */
export function conditionalTests(context: () => ConformanceContext): void {
  it('conditional get with the current ETag answers not-modified', async () => {
    const { driver, prefix } = context();
    const key = `${prefix()}doc.json`;
    const { etag } = await driver.put(key, '{}');
    expect(await driver.get(key, { ifNoneMatch: etag })).toEqual({ notModified: true, etag });
  });

  it('conditional get compares ETags after normalizing quotes', async () => {
    const { driver, prefix } = context();
    const key = `${prefix()}doc.json`;
    const { etag } = await driver.put(key, '{}');
    expect(await driver.get(key, { ifNoneMatch: `"${etag}"` })).toMatchObject({ notModified: true });
    expect(await driver.get(key, { ifNoneMatch: `W/"${etag}"` })).toMatchObject({ notModified: true });
  });

  it('conditional get with a stale ETag answers the current body', async () => {
    const { driver, prefix } = context();
    const key = `${prefix()}doc.json`;
    const { etag: stale } = await driver.put(key, '{"v":1}');
    const { etag: current } = await driver.put(key, '{"v":2}');
    const result = await driver.get(key, { ifNoneMatch: stale });
    expect(result).toMatchObject({ notModified: false, etag: current });
    if (!result.notModified) result.body.destroy();
  });

  it('create-only put (ifNoneMatch *) on a missing key writes it', async () => {
    const { driver, prefix } = context();
    const key = `${prefix()}new.txt`;
    const { etag } = await driver.put(key, 'created', { ifNoneMatch: '*' });
    expect((await driver.head(key)).etag).toBe(etag);
  });

  it('create-only put (ifNoneMatch *) on an existing key throws PreconditionFailedError and keeps the object', async () => {
    const { driver, prefix } = context();
    const key = `${prefix()}exists.txt`;
    await driver.put(key, 'original');
    await expect(driver.put(key, 'intruder', { ifNoneMatch: '*' })).rejects.toBeInstanceOf(PreconditionFailedError);
    expect((await getBytes(driver, key)).toString()).toBe('original');
  });

  it('put with the current ETag in ifMatch replaces the object', async () => {
    const { driver, prefix } = context();
    const key = `${prefix()}doc.txt`;
    const { etag } = await driver.put(key, 'v1');
    const { etag: next } = await driver.put(key, 'v2', { ifMatch: etag });
    expect(next).not.toBe(etag);
    expect((await getBytes(driver, key)).toString()).toBe('v2');
  });

  it('put with a stale ETag in ifMatch throws PreconditionFailedError and keeps the object', async () => {
    const { driver, prefix } = context();
    const key = `${prefix()}doc.txt`;
    const { etag: stale } = await driver.put(key, 'v1');
    await driver.put(key, 'v2');
    await expect(driver.put(key, 'v3', { ifMatch: stale })).rejects.toBeInstanceOf(PreconditionFailedError);
    expect((await getBytes(driver, key)).toString()).toBe('v2');
  });

  it('put with ifMatch on a missing key throws NotFoundError and writes nothing', async () => {
    const { driver, prefix } = context();
    const key = `${prefix()}missing.txt`;
    await expect(driver.put(key, 'v1', { ifMatch: 'some-etag' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(driver.head(key)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('delete removes the object', async () => {
    const { driver, prefix } = context();
    const key = `${prefix()}gone.txt`;
    await driver.put(key, 'bye');
    await driver.delete(key);
    await expect(driver.get(key)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('delete of a missing key succeeds', async () => {
    const { driver, prefix } = context();
    await expect(driver.delete(`${prefix()}never-existed`)).resolves.toBeUndefined();
  });

  it('delete with the current ETag in ifMatch removes the object', async () => {
    const { driver, prefix } = context();
    const key = `${prefix()}gone.txt`;
    const { etag } = await driver.put(key, 'bye');
    await driver.delete(key, { ifMatch: etag });
    await expect(driver.head(key)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('delete with a stale ETag in ifMatch throws PreconditionFailedError and keeps the object', async () => {
    const { driver, prefix } = context();
    const key = `${prefix()}kept.txt`;
    const { etag: stale } = await driver.put(key, 'v1');
    const { etag: current } = await driver.put(key, 'v2');
    await expect(driver.delete(key, { ifMatch: stale })).rejects.toBeInstanceOf(PreconditionFailedError);
    expect((await driver.head(key)).etag).toBe(current);
  });

  it('delete with ifMatch on a missing key throws NotFoundError', async () => {
    const { driver, prefix } = context();
    await expect(driver.delete(`${prefix()}missing`, { ifMatch: 'some-etag' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('a key can be created again after it was deleted, with a new ETag', async () => {
    const { driver, prefix } = context();
    const key = `${prefix()}phoenix.txt`;
    const { etag: first } = await driver.put(key, 'same', { ifNoneMatch: '*' });
    await driver.delete(key);
    const { etag: second } = await driver.put(key, 'same', { ifNoneMatch: '*' });
    expect(second).not.toBe(first);
    await expect(driver.put(key, 'again', { ifMatch: first })).rejects.toBeInstanceOf(PreconditionFailedError);
  });
}
