import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import type { StorageDriver } from './driver.js';
import { CorruptDocumentError, isNotFound, isPreconditionFailed, NotFoundError } from './errors.js';
import type { DocumentVersion, VersionMemo } from './version-memo.js';

export interface JsonStoreOptions {
  /** How many times `update` re-reads and retries after losing a race (default 8); then the last error is thrown. */
  maxRetries?: number;
  /** First backoff step in ms (default 10); each retry waits a random time up to base × 2^attempt, capped at 1 s. */
  baseDelayMs?: number;
  /** Told about every corrupt document before `CorruptDocumentError` is thrown (the place to log it with its key). */
  onCorrupt?: (key: string, error: unknown) => void;
}

export interface WriteCondition {
  ifMatch?: string;
  ifNoneMatch?: '*';
}

export type ReadIfChangedResult<T> = { notModified: true; etag: string } | { notModified: false; value: T; etag: string };

const MAX_DELAY_MS = 1_000;

/**
 * JSON documents on a storage driver: every read is validated against a zod schema (a document that does not parse
 * or match is a `CorruptDocumentError`, never "empty"), and `update` is the one read-modify-write loop of the app:
 * read → change → write conditioned on the ETag that was read → on a lost race re-read and retry with backoff.
 */
export class JsonStore {
  readonly #maxRetries: number;
  readonly #baseDelayMs: number;
  readonly #onCorrupt: ((key: string, error: unknown) => void) | undefined;

  constructor(
    readonly driver: StorageDriver,
    options: JsonStoreOptions = {},
  ) {
    this.#maxRetries = options.maxRetries ?? 8;
    this.#baseDelayMs = options.baseDelayMs ?? 10;
    this.#onCorrupt = options.onCorrupt;
  }

  /** Reads and validates a document; `NotFoundError` when missing, `CorruptDocumentError` when invalid. */
  async read<T>(key: string, schema: z.ZodType<T>): Promise<{ value: T; etag: string }> {
    const result = await this.readIfChanged(key, schema, undefined);
    if (result.notModified) throw new Error(`unreachable: unconditional read of ${key} answered not-modified`);
    return { value: result.value, etag: result.etag };
  }

  /** Like `read`, but undefined when the document does not exist. */
  async readIfExists<T>(key: string, schema: z.ZodType<T>): Promise<{ value: T; etag: string } | undefined> {
    try {
      return await this.read(key, schema);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Conditional read: `{ notModified: true }` when the stored ETag still equals `etag`, else the validated value. */
  async readIfChanged<T>(key: string, schema: z.ZodType<T>, etag: string | undefined): Promise<ReadIfChangedResult<T>> {
    const result = await this.driver.get(key, etag === undefined ? {} : { ifNoneMatch: etag });
    if (result.notModified) return { notModified: true, etag: result.etag };
    const text = await readText(result.body);
    return { notModified: false, value: this.#parse(key, text, schema, result.etag), etag: result.etag };
  }

  /** Writes pretty JSON (with a trailing newline) as `application/json`, optionally conditioned on an ETag. */
  async write<T>(key: string, value: T, condition: WriteCondition = {}): Promise<{ etag: string }> {
    const body = `${JSON.stringify(value, null, 2)}\n`;
    return this.driver.put(key, body, { ...condition, contentType: 'application/json' });
  }

  /** Writes a new document; `PreconditionFailedError` when one already exists under the key. */
  async create<T>(key: string, value: T): Promise<{ etag: string }> {
    return this.write(key, value, { ifNoneMatch: '*' });
  }

  /**
   * Applies `change` to the current document and writes the result only if nobody wrote in between; on a lost race
   * re-reads and re-applies `change` (so it must be a pure function of its input). With `createIfMissing`, a missing
   * document starts from that value (and `change` is applied to it); without, a missing document is `NotFoundError`.
   * With `memo`, the first attempt starts from the remembered version (no read) and the written version is remembered.
   */
  async update<T>(
    key: string,
    schema: z.ZodType<T>,
    change: (current: T) => T | Promise<T>,
    options: { createIfMissing?: () => T; memo?: VersionMemo<T> } = {},
  ): Promise<DocumentVersion<T>> {
    const { memo } = options;
    let remembered = memo?.get(key);
    for (let attempt = 0; ; attempt++) {
      const fromMemo = remembered !== undefined;
      const current = remembered ?? (await this.readIfExists(key, schema));
      remembered = undefined;
      if (!current && !options.createIfMissing) throw new NotFoundError(key);
      let next: T;
      try {
        next = await change(current ? current.value : options.createIfMissing!());
      } catch (error) {
        // `change` may refuse a version that is only stale (a revision check): judge the stored document instead.
        if (!fromMemo) throw error;
        memo!.delete(key);
        continue;
      }
      try {
        const condition: WriteCondition = current ? { ifMatch: current.etag } : { ifNoneMatch: '*' };
        const { etag } = await this.write(key, next, condition);
        memo?.set(key, { value: next, etag });
        return { value: next, etag };
      } catch (error) {
        // NotFound here means the document was deleted after we read it: also a lost race, re-read decides.
        const lostRace = isPreconditionFailed(error) || isNotFound(error);
        if (lostRace) memo?.delete(key);
        if (!lostRace || attempt >= this.#maxRetries) throw error;
        // A remembered version that went stale says nothing about contention: re-read at once.
        if (fromMemo) continue;
      }
      await sleep(Math.random() * Math.min(MAX_DELAY_MS, this.#baseDelayMs * 2 ** attempt));
    }
  }

  #parse<T>(key: string, text: string, schema: z.ZodType<T>, etag: string): T {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw this.#corrupt(key, 'not valid JSON', error, etag);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw this.#corrupt(key, `does not match its schema: ${parsed.error.message}`, parsed.error, etag);
    return parsed.data;
  }

  #corrupt(key: string, reason: string, cause: unknown, etag: string): CorruptDocumentError {
    const error = new CorruptDocumentError(key, reason, { cause, etag });
    this.#onCorrupt?.(key, error);
    return error;
  }
}

async function readText(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer | string>) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
