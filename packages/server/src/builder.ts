import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { GraphQLError, GraphQLScalarType } from 'graphql';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { GraphQLUpload } from 'graphql-upload-minimal';
import type { Context } from './context.js';

/** What a resolver receives for a `File` argument: graphql-upload-minimal's file, resolved once its part arrives. */
export interface IncomingFile {
  filename: string;
  mimetype: string;
  encoding: string;
  createReadStream(): NodeJS.ReadableStream & import('node:stream').Readable;
}

/** graphql-upload-minimal's scalar, renamed to `File` (architecture §6). */
const FileScalar = new GraphQLScalarType({
  ...GraphQLUpload.toConfig(),
  name: 'File',
  description: 'A file sent as a part of a GraphQL multipart request (https://github.com/jaydenseric/graphql-multipart-request-spec).',
});

export const builder = new SchemaBuilder<{
  Context: Context;
  AuthScopes: {
    /** Any signed-in user who may act (suspended and expired users never get this far: refused in http/). */
    authenticated: boolean;
    admin: boolean;
    /** The viewer is the user with this id. */
    self: string;
    /** The viewer may read uploads made by the user with this id (their own, or all when configured). */
    readsUploadsOf: string;
  };
  Scalars: {
    File: { Input: Promise<IncomingFile>; Output: never };
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
    PathSegment: { Input: string | number; Output: string | number };
  };
  DefaultFieldNullability: false;
}>({
  plugins: [ScopeAuthPlugin, ErrorsPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: async (context) => ({
      authenticated: context.viewer !== undefined,
      admin: context.viewer?.role === 'admin',
      self: (userId) => context.viewer?.userId === userId,
      readsUploadsOf: (uploaderId) => context.access.readsUploadsOf(uploaderId),
    }),
    // Unauthenticated and forbidden are different answers: the first asks the client to send a token.
    unauthorizedError: (_parent, context) =>
      context.viewer
        ? new GraphQLError('You are not allowed to do this', { extensions: { code: 'FORBIDDEN' } })
        : new GraphQLError('Authentication required: send "Authorization: Bearer <token>"', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } }),
  },
  errors: { directResult: true },
});

builder.addScalarType('File', FileScalar);
builder.addScalarType('DateTime', DateTimeResolver);
builder.addScalarType('JSON', JSONResolver);
