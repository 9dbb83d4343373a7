import { GraphQLError } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import type { Env } from '../env.js';
import type { Logger } from '../logger.js';
import { schema } from '../schema.js';
import { createContext, type Context } from '../context.js';
import { StufError } from '../errors.js';
import type { Services } from '../services.js';
import type { ClientInfo, Viewer } from '../domains/auth/service.js';
import { useAccessHistory } from './use-access-history.js';
import { useJsonBodyLimit } from './use-json-body-limit.js';

/** What the node:http layer hands to yoga for each request. */
export interface ServerContext {
  requestId: string;
  viewer?: Viewer;
  client: ClientInfo;
  logger: Logger;
  /** The GraphQL params of a multipart request, already parsed by graphql-upload-minimal (files still streaming). */
  multipartBody?: unknown;
}

/** Hands the multipart body parsed before yoga to yoga, instead of letting yoga read the request again. */
function useParsedMultipartBody(): Plugin<Record<string, unknown>, ServerContext> {
  return {
    onRequestParse({ serverContext, setRequestParser }) {
      const body = serverContext?.multipartBody;
      if (body !== undefined) setRequestParser(() => body as never);
    },
  };
}

/**
 * By name, not instanceof: graphql ships CJS and ESM builds, and a loader may hand different plugins different copies.
 */
function isGraphQLError(error: unknown): error is GraphQLError {
  return error instanceof Error && error.name === 'GraphQLError';
}

/** graphql-upload-minimal's error when the request closes before its body ended (status 499, "client closed request"). */
function isClientDisconnect(error: unknown): boolean {
  return error instanceof Error && (error as { status?: unknown }).status === 499;
}

/**
 * Expected failures that no field declared as a union member still reach clients typed, via `extensions.code`;
 * anything else is logged with the request id and masked.
 */
const createMaskError = (logger: Logger) => (error: unknown, message: string, isDev?: boolean): Error => {
  const original = isGraphQLError(error) ? error.originalError : error;
  if (original instanceof StufError) {
    const { message: _message, name: _name, stack: _stack, ...details } = original as StufError & Record<string, unknown>;
    return new GraphQLError(original.message, {
      nodes: isGraphQLError(error) ? error.nodes : undefined,
      path: isGraphQLError(error) ? error.path : undefined,
      extensions: { ...details, code: original.code },
    });
  }
  if (isGraphQLError(error) && (!error.originalError || isGraphQLError(error.originalError))) return error;
  if (isClientDisconnect(original)) {
    // Nobody is left to read the answer, and nothing was stored (the upload rolled back): not a server error.
    logger.info('client disconnected during the upload');
    return new GraphQLError('The client disconnected during the upload', { extensions: { code: 'CLIENT_DISCONNECTED' } });
  }
  logger.error({ err: original }, 'unexpected error');
  return new GraphQLError(isDev ? String((original as Error)?.message ?? message) : message, {
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  });
};

/** The yoga instance: schema, GraphiQL, limits and error masking; multipart and auth happen in front of it. */
export function createGraphQLHandler(env: Env, services: Services, logger: Logger): YogaServerInstance<ServerContext, Context> {
  return createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: { title: 'STUF GraphiQL', headers: JSON.stringify({ Authorization: 'Bearer <your token>' }) },
    // GraphiQL's assets are bundled and served by STUF itself (no CDN, works offline and behind strict proxies). The
    // bundle is ~80 MB of heap once loaded, so it is imported only when someone first opens GraphiQL.
    renderGraphiQL: (options) => import('@graphql-yoga/render-graphiql').then(({ renderGraphiQL }) => renderGraphiQL(options)),
    landingPage: false,
    // Multipart is parsed before yoga (http/multipart.ts), and JSON bodies are bounded there too.
    multipart: false,
    maxRequestBodySize: false,
    cors: { origin: env.STUF_CORS_ORIGIN === '*' ? '*' : env.STUF_CORS_ORIGIN.split(','), credentials: false, allowedHeaders: ['authorization', 'content-type', 'graphql-preflight', 'x-graphql-yoga-csrf', 'x-request-id'] },
    logging: {
      debug: (...args) => logger.debug({ args }, 'yoga'),
      info: (...args) => logger.info({ args }, 'yoga'),
      warn: (...args) => logger.warn({ args }, 'yoga'),
      // yoga logs every error that maskError replaced; maskError itself already logged the unexpected ones.
      error: (...args) => (args[0] instanceof Error ? logger.debug({ args }, 'yoga') : logger.error({ args }, 'yoga')),
    },
    maskedErrors: { maskError: createMaskError(logger) },
    context: ({ requestId, viewer, client, logger: requestLogger }) => createContext({ requestId, viewer, client, logger: requestLogger, services }),
    plugins: [
      useParsedMultipartBody(),
      useJsonBodyLimit(env.STUF_MAX_JSON_BODY_BYTES),
      maxDepthPlugin({ n: env.STUF_MAX_QUERY_DEPTH, ignoreIntrospection: true, exposeLimits: true }),
      useAccessHistory(),
    ],
  });
}
