/**
 * Browsers cannot report the progress of a `fetch` upload; XMLHttpRequest can. Used only for `createUpload` with an
 * `onProgress` callback in `form-data` mode when no custom `fetch` was given. Minimal structural types, so this file
 * needs neither the DOM library nor Node's.
 */
interface XhrLike {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  send(body: unknown): void;
  abort(): void;
  getAllResponseHeaders(): string;
  readonly status: number;
  readonly statusText: string;
  readonly responseText: string;
  upload: { onprogress: ((event: { loaded: number; total: number; lengthComputable: boolean }) => void) | null };
  onload: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
}

export function xhrFetch(url: string, init: RequestInit, onUploadProgress: (loaded: number, total: number) => void): Promise<Response> {
  const Xhr = (globalThis as unknown as { XMLHttpRequest: new () => XhrLike }).XMLHttpRequest;
  return new Promise<Response>((resolve, reject) => {
    const xhr = new Xhr();
    const signal = init.signal ?? undefined;
    const onAbort = () => xhr.abort();
    xhr.open(init.method ?? 'POST', url);
    for (const [name, value] of Object.entries((init.headers ?? {}) as Record<string, string>)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => onUploadProgress(event.loaded, event.lengthComputable ? event.total : 0);
    xhr.onload = () => {
      signal?.removeEventListener('abort', onAbort);
      const headers = new Headers();
      for (const line of xhr.getAllResponseHeaders().trim().split(/[\r\n]+/)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
      }
      const status = xhr.status >= 200 && xhr.status <= 599 ? xhr.status : 500;
      resolve(new Response(xhr.responseText, { status, statusText: xhr.statusText, headers }));
    };
    xhr.onerror = () => reject(new TypeError('Network request failed'));
    xhr.onabort = () => reject(new DOMException('The request was aborted', 'AbortError'));
    signal?.addEventListener('abort', onAbort, { once: true });
    xhr.send(init.body);
  });
}
