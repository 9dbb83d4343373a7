import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
import { StufError, type GraphQLErrorShape } from './errors.js';
import { prepareFile, prepareFiles, type FileInput } from './files.js';
import {
  ConfigHistoryDocument,
  CreateUploadDocument,
  HealthDocument,
  ImportUsersDocument,
  MeDocument,
  MetadataConfigDocument,
  StufConfigDocument,
  UpdateMetadataConfigDocument,
  UpdateStufConfigDocument,
  UploadDocument,
  UploadRequirementsDocument,
  UploadsDocument,
  type ConfigDocument,
  type ConfigHistoryQuery,
  type CreateUploadInput,
  type CreateUploadMutation,
  type HealthQuery,
  type ImportUsersMutation,
  type MeQuery,
  type UpdateMetadataConfigInput,
  type UpdateMetadataConfigMutation,
  type UpdateStufConfigInput,
  type UpdateStufConfigMutation,
  type UploadQuery,
  type UploadRequirementsQuery,
  type UploadsQuery,
  type UploadsQueryVariables,
} from './generated/graphql.js';
import { createMultipartBody, type CountedStream, type MultipartBody } from './multipart.js';
import { abortError, DEFAULT_RETRY, isTransientNetworkError, networkErrorCode, RETRYABLE_STATUSES, withRetries, type RetryOptions } from './retry.js';
import { xhrFetch } from './xhr.js';

/** An upload with its files, as every operation of the SDK selects it. */
export type Upload = NonNullable<UploadQuery['upload']>;
export type UploadFile = Upload['files'][number];
/** `uploads` answer: a Relay-style page with `totalCount`. */
export type UploadConnection = UploadsQuery['uploads'];
/** What `createUpload` resolves to: the payload or a typed, expected failure; branch on `__typename`. */
export type CreateUploadResult = CreateUploadMutation['createUpload'];
export type Viewer = MeQuery['me'];
/** Everything `createUpload` checks: limits, allowed types, the metadata fields and their rules, the legal declaration. */
export type UploadRequirements = UploadRequirementsQuery['uploadRequirements'];
export type MetadataFieldRequirement = UploadRequirements['fields'][number];
/** One published version of a config document. */
export type ConfigVersion = ConfigHistoryQuery['configHistory'][number];
/** What `updateStufConfig` resolves to: the payload, `ValidationError` or `RevisionConflictError`. */
export type UpdateStufConfigResult = UpdateStufConfigMutation['updateStufConfig'];
/** What `updateMetadataConfig` resolves to: the payload, `ValidationError` or `RevisionConflictError`. */
export type UpdateMetadataConfigResult = UpdateMetadataConfigMutation['updateMetadataConfig'];
export type Health = HealthQuery['health'];
/** What `importUsers` resolves to: the per-row report (`ImportUsersPayload`) or a typed failure; branch on `__typename`. */
export type ImportUsersResult = ImportUsersMutation['importUsers'];

/** A GraphQL document: a string, or a typed document (`TypedDocumentString` from codegen). */
export type Document<TResult = unknown, TVariables = Record<string, unknown>> = string | (DocumentTypeDecoration<TResult, TVariables> & { toString(): string });

export interface UploadProgress {
  /** Bytes of the request body sent so far. */
  loaded: number;
  /** Size of the whole request body, when every file's size is known. */
  total: number | undefined;
}

export interface StufClientOptions {
  /** The server: `https://stuf.example.org` or its GraphQL endpoint `https://stuf.example.org/graphql`. */
  url: string;
  /** Bearer token sent with every request. */
  token?: string;
  /** Called before every attempt, for tokens that change (wins over `token`). */
  getToken?: () => string | null | undefined | Promise<string | null | undefined>;
  /** A `fetch` implementation (default: the global one). */
  fetch?: typeof fetch;
  /** Extra headers for every request. */
  headers?: Record<string, string>;
  /** Retry policy for operations that are safe to repeat; `false` disables retries. */
  retry?: Partial<RetryOptions> | false;
  /**
   * How uploads are sent: `stream` (a streamed multipart body, counted for progress; the default on Node), or
   * `form-data` (a `FormData` of Blobs, the default in browsers; progress via XMLHttpRequest). `auto` picks.
   */
  uploadMode?: 'auto' | 'stream' | 'form-data';
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Overrides the client's retry policy for this call. */
  retry?: Partial<RetryOptions> | false;
}

export interface CreateUploadOptions extends RequestOptions {
  /** Called as the request body is sent. */
  onProgress?: (progress: UploadProgress) => void;
}

export interface StufClient {
  /** The GraphQL endpoint requests go to. */
  readonly endpoint: string;
  health(options?: RequestOptions): Promise<Health>;
  me(options?: RequestOptions): Promise<Viewer>;
  /** One upload, or `null` when there is none with this id. */
  upload(id: string, options?: RequestOptions): Promise<Upload | null>;
  /** A page of uploads, newest first. */
  uploads(variables?: UploadsQueryVariables, options?: RequestOptions): Promise<UploadConnection>;
  /** Every upload matching `filter`/`search`, fetching pages of `first` (default 100) as needed. */
  iterateUploads(variables?: Omit<UploadsQueryVariables, 'after'>, options?: RequestOptions): AsyncIterable<Upload>;
  /**
   * Stores files with their metadata (a multipart request). Resolves to the payload or a typed failure
   * (`ValidationError`, `LimitExceededError`); never retried once a byte of it may have reached the server.
   */
  createUpload(input: CreateUploadInput, options?: CreateUploadOptions): Promise<CreateUploadResult>;
  /**
   * Fetches a file by its signed `downloadUrl` (no token is sent: the signature is the authorization). Resolves to
   * the `Response` to stream its body; throws a `StufError` (`FORBIDDEN` for a bad or expired link, `NOT_FOUND`, …)
   * for anything but 2xx. Retried like a query until the answer starts.
   */
  download(file: string | { downloadUrl: string }, options?: RequestOptions): Promise<Response>;
  /** `config/stuf_config.json` in force, secrets shown only as `apiKeySet` / `secretSet` (admins only). */
  stufConfig(options?: RequestOptions): Promise<Record<string, unknown>>;
  /** `config/metadata_config.json` in force, disabled fields included (admins only). */
  metadataConfig(options?: RequestOptions): Promise<Record<string, unknown>>;
  /**
   * Publishes the whole edited document if `revision` is still current (admins only). Resolves to the payload or a
   * typed failure: `ValidationError` (paths under `config`) or `RevisionConflictError` (with `currentRevision`).
   */
  updateStufConfig(input: UpdateStufConfigInput, options?: RequestOptions): Promise<UpdateStufConfigResult>;
  /** Like `updateStufConfig`, for the metadata field definitions. */
  updateMetadataConfig(input: UpdateMetadataConfigInput, options?: RequestOptions): Promise<UpdateMetadataConfigResult>;
  /** Published versions of a config document, newest first (admins only). */
  configHistory(document: ConfigDocument, variables?: { first?: number }, options?: RequestOptions): Promise<ConfigVersion[]>;
  /** What an upload must satisfy, from the config in force: enough to render a form or build valid `metadata`. */
  uploadRequirements(options?: RequestOptions): Promise<UploadRequirements>;
  /**
   * Creates users from a CSV file (columns name, email, phone, role, expiry; admins only) and resolves to a per-row
   * report; with `dryRun` nothing is created. Sent as a multipart request like `createUpload` (same progress, abort
   * and retry rules).
   */
  importUsers(file: FileInput, options?: CreateUploadOptions & { dryRun?: boolean }): Promise<ImportUsersResult>;
  /**
   * Runs any document. Retried on retryable failures unless it contains a mutation (override with `idempotent`).
   */
  request<TResult, TVariables extends Record<string, unknown> = Record<string, unknown>>(
    document: Document<TResult, TVariables>,
    variables?: TVariables,
    options?: RequestOptions & { idempotent?: boolean },
  ): Promise<TResult>;
}

const ACCEPT = 'application/graphql-response+json, application/json;q=0.9';

function endpointOf(url: string): string {
  const parsed = new URL(url);
  if (!/\/graphql\/?$/.test(parsed.pathname)) parsed.pathname = `${parsed.pathname.replace(/\/$/, '')}/graphql`;
  return parsed.toString();
}

function queryText(document: Document<unknown, never>): string {
  if (typeof document === 'string') return document;
  const body = (document as { loc?: { source?: { body?: unknown } } }).loc?.source?.body;
  if (typeof body === 'string') return body;
  const text = String(document);
  if (text === '[object Object]') throw new StufError('INVALID_INPUT', 'Pass a query string or a TypedDocumentString (codegen documentMode "string"), or print() a DocumentNode first');
  return text;
}

const isMutation = (query: string) => /(^|[\n}])\s*mutation\b/.test(query);

function runtimeIsNode(): boolean {
  return typeof (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions?.node === 'string';
}

function retryAfterFrom(response: Response, errors: GraphQLErrorShape[]): number | undefined {
  const fromExtensions = errors.find((error) => typeof error.extensions?.retryAfterMs === 'number')?.extensions?.retryAfterMs as number | undefined;
  if (fromExtensions !== undefined) return fromExtensions;
  const header = response.headers.get('retry-after');
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Turns an HTTP answer into `data`, or a `StufError` for request-level failures. */
async function readResult(response: Response): Promise<unknown> {
  const requestId = response.headers.get('x-request-id') ?? undefined;
  const text = await response.text();
  let payload: { data?: unknown; errors?: GraphQLErrorShape[] } | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && ('data' in parsed || 'errors' in parsed)) payload = parsed as typeof payload;
  } catch {
    // not JSON: handled below
  }
  const status = response.status;
  const statusRetryable = RETRYABLE_STATUSES.has(status);
  if (!payload) {
    const snippet = text.trim().slice(0, 200);
    throw new StufError('HTTP_ERROR', `HTTP ${status} ${response.statusText}${snippet ? `: ${snippet}` : ''}`.trim(), {
      status,
      requestId,
      retryable: statusRetryable,
      retryAfterMs: retryAfterFrom(response, []),
    });
  }
  const errors = Array.isArray(payload.errors) ? payload.errors : [];
  if (errors.length > 0) {
    const first = errors[0]!;
    const code = typeof first.extensions?.code === 'string' ? first.extensions.code : 'GRAPHQL_ERROR';
    throw new StufError(code, first.message, {
      status,
      requestId,
      errors,
      data: payload.data ?? undefined,
      retryable: code === 'CACHE_REGENERATING' || statusRetryable,
      retryAfterMs: retryAfterFrom(response, errors),
    });
  }
  if (payload.data === undefined || payload.data === null) {
    throw new StufError('HTTP_ERROR', `HTTP ${status}: the answer has no data`, { status, requestId, retryable: statusRetryable });
  }
  return payload.data;
}

/** Creates a client for one STUF server. Every method is typed from the server's schema. */
export function createStufClient(options: StufClientOptions): StufClient {
  const endpoint = endpointOf(options.url);
  const baseRetry = options.retry === false ? false : { ...DEFAULT_RETRY, ...options.retry };
  const retryFor = (override: RequestOptions['retry']): RetryOptions | false =>
    override === false ? false : override === undefined ? baseRetry : { ...(baseRetry || DEFAULT_RETRY), ...override };

  async function headers(extra: Record<string, string>): Promise<Record<string, string>> {
    const token = options.getToken ? await options.getToken() : options.token;
    return { accept: ACCEPT, ...options.headers, ...extra, ...(token ? { authorization: `Bearer ${token}` } : {}) };
  }

  /** One HTTP exchange; network failures become StufErrors. */
  async function exchange(init: RequestInit & { duplex?: 'half' }, signal: AbortSignal | undefined, counted?: CountedStream, xhrProgress?: (loaded: number, total: number) => void): Promise<unknown> {
    if (signal?.aborted) throw abortError(signal);
    let response: Response;
    try {
      if (xhrProgress) response = await xhrFetch(endpoint, { ...init, signal }, xhrProgress);
      else response = await (options.fetch ?? fetch)(endpoint, { ...init, signal });
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      if (counted?.sourceError !== undefined) {
        throw new StufError('FILE_READ_FAILED', `A file could not be read while uploading: ${(counted.sourceError as Error)?.message ?? String(counted.sourceError)}`, { cause: counted.sourceError });
      }
      if (error instanceof StufError) throw error;
      const code = networkErrorCode(error);
      throw new StufError('NETWORK_ERROR', `Could not reach ${endpoint}${code ? ` (${code})` : ''}: ${(error as Error)?.message ?? String(error)}`, {
        retryable: isTransientNetworkError(error),
        cause: error,
      });
    }
    try {
      return await readResult(response);
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      if (error instanceof StufError) throw error;
      throw new StufError('NETWORK_ERROR', `The answer from ${endpoint} was cut off: ${(error as Error)?.message ?? String(error)}`, {
        retryable: isTransientNetworkError(error),
        cause: error,
      });
    }
  }

  async function request<TResult>(document: Document<TResult, never>, variables: unknown, requestOptions: RequestOptions & { idempotent?: boolean } = {}): Promise<TResult> {
    const query = queryText(document);
    const idempotent = requestOptions.idempotent ?? !isMutation(query);
    const body = JSON.stringify({ query, variables: variables ?? {} });
    const data = await withRetries(
      async () => exchange({ method: 'POST', headers: await headers({ 'content-type': 'application/json' }), body }, requestOptions.signal),
      retryFor(requestOptions.retry),
      (error) => idempotent && error.retryable,
      requestOptions.signal,
    );
    return data as TResult;
  }

  async function sendMultipart(multipart: MultipartBody, uploadOptions: CreateUploadOptions): Promise<unknown> {
    const { signal, onProgress } = uploadOptions;
    const mode = options.uploadMode ?? 'auto';
    const streamed = mode === 'stream' || !multipart.repeatable || (mode === 'auto' && runtimeIsNode());
    const total = multipart.size;
    /** Body bytes the HTTP client took in the last attempt; undefined when that cannot be known (FormData). */
    let taken: number | undefined;
    return withRetries(
      async () => {
        const requestHeaders = await headers({ 'graphql-preflight': '1' });
        if (signal?.aborted) throw abortError(signal);
        if (streamed) {
          const counted = multipart.stream(onProgress && ((loaded) => onProgress({ loaded, total })));
          const stopOnAbort = () => counted.stop(abortError(signal!));
          signal?.addEventListener('abort', stopOnAbort, { once: true });
          taken = 0;
          try {
            return await exchange(
              {
                method: 'POST',
                headers: { ...requestHeaders, 'content-type': multipart.contentType, ...(total !== undefined ? { 'content-length': String(total) } : {}) },
                body: counted.body,
                duplex: 'half',
                // Without these two, undici clones the request and tees the body to replay it on a redirect: the
                // unread branch then buffers the whole upload in memory. A streamed upload never follows redirects.
                redirect: 'error',
                window: null,
              },
              signal,
              counted,
            );
          } finally {
            taken = counted.pulled;
            signal?.removeEventListener('abort', stopOnAbort);
            counted.stop();
          }
        }
        taken = undefined;
        const useXhr = onProgress !== undefined && options.fetch === undefined && typeof (globalThis as { XMLHttpRequest?: unknown }).XMLHttpRequest === 'function';
        const result = await exchange(
          { method: 'POST', headers: requestHeaders, body: multipart.formData() },
          signal,
          undefined,
          useXhr ? (loaded, xhrTotal) => onProgress({ loaded, total: xhrTotal || total }) : undefined,
        );
        if (!useXhr && onProgress && total !== undefined) onProgress({ loaded: total, total });
        return result;
      },
      retryFor(uploadOptions.retry),
      // Not safe to repeat: only when the server provably got nothing of the body (so it cannot have stored anything).
      (error) => error.retryable && taken === 0,
      signal,
    );
  }

  async function download(url: string, downloadOptions: RequestOptions): Promise<Response> {
    const { signal } = downloadOptions;
    return withRetries(
      async () => {
        if (signal?.aborted) throw abortError(signal);
        let response: Response;
        try {
          response = await (options.fetch ?? fetch)(url, { method: 'GET', signal });
        } catch (error) {
          if (signal?.aborted) throw abortError(signal);
          const code = networkErrorCode(error);
          throw new StufError('NETWORK_ERROR', `Could not download ${url}${code ? ` (${code})` : ''}: ${(error as Error)?.message ?? String(error)}`, {
            retryable: isTransientNetworkError(error),
            cause: error,
          });
        }
        if (response.ok) return response;
        const text = (await response.text().catch(() => '')).trim().slice(0, 200);
        const code = response.status === 403 ? 'FORBIDDEN' : response.status === 404 ? 'NOT_FOUND' : 'HTTP_ERROR';
        throw new StufError(code, `Download failed: HTTP ${response.status}${text ? `: ${text}` : ''}`, {
          status: response.status,
          requestId: response.headers.get('x-request-id') ?? undefined,
          retryable: RETRYABLE_STATUSES.has(response.status),
          retryAfterMs: retryAfterFrom(response, []),
        });
      },
      retryFor(downloadOptions.retry),
      (error) => error.retryable,
      signal,
    );
  }

  const client: StufClient = {
    endpoint,
    health: async (o) => (await request(HealthDocument, {}, o)).health,
    me: async (o) => (await request(MeDocument, {}, o)).me,
    upload: async (id, o) => (await request(UploadDocument, { id }, o)).upload,
    uploads: async (variables = {}, o) => (await request(UploadsDocument, variables, o)).uploads,
    async *iterateUploads(variables = {}, o) {
      let after: string | null = null;
      do {
        const page: UploadConnection = (await request(UploadsDocument, { first: 100, ...variables, after }, o)).uploads;
        for (const edge of page.edges) yield edge.node;
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after);
    },
    async createUpload(input, o = {}) {
      if (typeof input !== 'object' || input === null) throw new StufError('INVALID_INPUT', 'createUpload: pass { files, metadata }');
      const files = await prepareFiles((input as { files?: unknown }).files);
      const operations = { query: queryText(CreateUploadDocument), variables: { input: { ...input, files: files.map(() => null) } } };
      const multipart = createMultipartBody(
        operations,
        files.map((file, index) => ({ path: `variables.input.files.${index}`, file })),
      );
      const data = (await sendMultipart(multipart, o)) as CreateUploadMutation;
      return data.createUpload;
    },
    async importUsers(file, o = {}) {
      const csv = await prepareFile(file, 'importUsers: file');
      const operations = { query: queryText(ImportUsersDocument), variables: { file: null, dryRun: o.dryRun ?? false } };
      const data = (await sendMultipart(createMultipartBody(operations, [{ path: 'variables.file', file: csv }]), o)) as ImportUsersMutation;
      return data.importUsers;
    },
    download: (file, o = {}) => download(typeof file === 'string' ? file : file.downloadUrl, o),
    stufConfig: async (o) => (await request(StufConfigDocument, {}, o)).stufConfig as Record<string, unknown>,
    metadataConfig: async (o) => (await request(MetadataConfigDocument, {}, o)).metadataConfig as Record<string, unknown>,
    updateStufConfig: async (input, o) => (await request(UpdateStufConfigDocument, { input }, o)).updateStufConfig,
    updateMetadataConfig: async (input, o) => (await request(UpdateMetadataConfigDocument, { input }, o)).updateMetadataConfig,
    configHistory: async (document, variables = {}, o) => (await request(ConfigHistoryDocument, { document, ...variables }, o)).configHistory,
    uploadRequirements: async (o) => (await request(UploadRequirementsDocument, {}, o)).uploadRequirements,
    request: (document, variables, o) => request(document as Document<never, never>, variables, o),
  };
  return client;
}
