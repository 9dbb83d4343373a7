import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { ServerContext } from './yoga.js';

/** The answer to a body over the limit, in the same words as the Content-Length check in front of yoga. */
export function bodyTooLargeMessage(limit: number): string {
  return `Request bodies are limited to ${limit} bytes`;
}

/**
 * Bounds request bodies that yoga parses itself (JSON, GraphQL strings, forms) while they stream, so a body sent
 * without Content-Length (chunked) cannot grow past `limit` either; a declared Content-Length over the limit is
 * refused before yoga. Multipart bodies are parsed (and bounded) before yoga and are left alone: their file parts are
 * still streaming into storage and must not be read here.
 */
export function useJsonBodyLimit(limit: number): Plugin<Record<string, unknown>, ServerContext> {
  return {
    onRequestParse({ request, requestParser, setRequestParser, serverContext, fetchAPI }) {
      if (serverContext?.multipartBody !== undefined || !requestParser || !request.body) return;
      setRequestParser((req) => {
        let received = 0;
        const counted = req.body!.pipeThrough(
          new fetchAPI.TransformStream<Uint8Array, Uint8Array>({
            transform(chunk, controller) {
              received += chunk.byteLength;
              // yoga's parsers pass a GraphQLError of yoga's own graphql copy through as it is (others become "invalid JSON").
              if (received > limit) controller.error(createGraphQLError(bodyTooLargeMessage(limit), { extensions: { code: 'LIMIT_EXCEEDED', http: { status: 413 } } }));
              else controller.enqueue(chunk);
            },
          }),
        );
        return requestParser(new fetchAPI.Request(req.url, { method: req.method, headers: req.headers, signal: req.signal, body: counted, duplex: 'half' } as RequestInit));
      });
    },
  };
}
