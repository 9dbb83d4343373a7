import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `check` until it returns something other than undefined/false, and returns that; fails after `timeoutMs`
 * with `message`. For effects that happen in the background (a reload, a delivery): never a fixed sleep.
 */
export async function eventually<T>(check: () => T | undefined | false | Promise<T | undefined | false>, options: { timeoutMs?: number; intervalMs?: number; message?: string } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  let lastError: unknown;
  for (;;) {
    try {
      const result = await check();
      if (result !== undefined && result !== false) return result;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`${options.message ?? 'condition not met'} within ${options.timeoutMs ?? 15_000} ms${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    }
    await sleep(options.intervalMs ?? 50);
  }
}
