import { Readable } from 'node:stream';
import type { StorageDriver } from '../../packages/server/src/storage/driver.js';

/** One call the server made through the storage contract, as `<method> <key>` (`put` of a stream: `put-stream`). */
export type StorageCall = `${'get' | 'head' | 'put' | 'put-stream' | 'delete' | 'list'} ${string}`;

/** Wraps a driver so a test can see every storage call the server makes, e.g. to prove what one request costs. */
export function recordingDriver(driver: StorageDriver): { driver: StorageDriver; calls: StorageCall[] } {
  const calls: StorageCall[] = [];
  const recording: StorageDriver = {
    name: driver.name,
    get: (key, options) => (calls.push(`get ${key}`), driver.get(key, options)),
    head: (key) => (calls.push(`head ${key}`), driver.head(key)),
    put: (key, body, options) => (calls.push(`${body instanceof Readable ? 'put-stream' : 'put'} ${key}`), driver.put(key, body, options)),
    delete: (key, options) => (calls.push(`delete ${key}`), driver.delete(key, options)),
    list: (prefix, options) => (calls.push(`list ${prefix}`), driver.list(prefix, options)),
    ...(driver.presignGet ? { presignGet: driver.presignGet.bind(driver) } : {}),
    ...(driver.close ? { close: driver.close.bind(driver) } : {}),
  };
  return { driver: recording, calls };
}
