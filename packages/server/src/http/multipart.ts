import type { IncomingMessage, ServerResponse } from 'node:http';
import { processRequest } from 'graphql-upload-minimal';

export interface MultipartLimits {
  maxFileSize: number;
  maxFiles: number;
  maxFieldSize: number;
}

export class MultipartError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Parses the `operations` and `map` fields of a GraphQL multipart request; file parts stay streams that resolvers
 * consume in arrival order. The hard byte limit is one above the configured maximum so the resolver can tell "one
 * byte over" from "exactly at the limit" and answer with a typed error.
 */
export async function parseMultipart(req: IncomingMessage, res: ServerResponse, limits: MultipartLimits): Promise<unknown> {
  try {
    return await processRequest(req, res, {
      maxFileSize: limits.maxFileSize + 1,
      maxFiles: limits.maxFiles,
      maxFieldSize: limits.maxFieldSize,
    });
  } catch (error) {
    const status = typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : 400;
    throw new MultipartError(status, (error as Error).message);
  }
}
