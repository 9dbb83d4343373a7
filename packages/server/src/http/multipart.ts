import type { IncomingMessage, ServerResponse } from 'node:http';
import { processRequest } from 'graphql-upload-minimal';

export interface MultipartLimits {
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
 * consume in arrival order. File size is not limited here: busboy would silently truncate (or fail before the
 * resolver looks), so the upload service meters every byte and answers a typed LIMIT_EXCEEDED instead.
 */
export async function parseMultipart(req: IncomingMessage, res: ServerResponse, limits: MultipartLimits): Promise<unknown> {
  try {
    return await processRequest(req, res, {
      maxFiles: limits.maxFiles,
      maxFieldSize: limits.maxFieldSize,
    });
  } catch (error) {
    const status = typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : 400;
    throw new MultipartError(status, (error as Error).message);
  }
}
