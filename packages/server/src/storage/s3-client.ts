import { S3Client } from '@aws-sdk/client-s3';
import type { ResolvedS3Options, S3DriverOptions } from './s3-options.js';

/** Counts HTTP requests per S3 command (retries included), so tests and benchmarks can assert request budgets. */
export class RequestCounter {
  private counts = new Map<string, number>();
  constructor(private readonly onRequest?: (commandName: string) => void) {}

  record(commandName: string): void {
    this.counts.set(commandName, (this.counts.get(commandName) ?? 0) + 1);
    this.onRequest?.(commandName);
  }

  /** Requests per command name since the last reset, plus `total`. */
  snapshot(): Record<string, number> {
    const result: Record<string, number> = {};
    let total = 0;
    for (const [name, count] of [...this.counts].sort(([a], [b]) => a.localeCompare(b))) {
      result[name] = count;
      total += count;
    }
    result.total = total;
    return result;
  }

  reset(): void {
    this.counts.clear();
  }
}

/** Builds the S3 client: path style for self-hosted stores, checksums only when required, a request counter. */
export function createS3Client(options: S3DriverOptions, resolved: ResolvedS3Options, counter: RequestCounter): S3Client {
  const client = new S3Client({
    region: resolved.region,
    endpoint: resolved.endpoint,
    forcePathStyle: resolved.forcePathStyle,
    credentials: options.credentials,
    maxAttempts: options.maxAttempts ?? 3,
    // The SDK's default (WHEN_SUPPORTED) sends aws-chunked bodies with trailing CRC32 checksums, which Ceph RGW rejects
    // for streams of unknown length; MD5/SHA-256 payload signing still protects integrity.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? 5_000,
      // Without throwOnRequestTimeout the SDK only logs a warning when requestTimeout passes and keeps waiting.
      requestTimeout: options.requestTimeoutMs ?? 120_000,
      throwOnRequestTimeout: true,
      socketTimeout: options.requestTimeoutMs ?? 120_000,
    },
  });
  // The deserialize step runs inside the retry loop, so this sees every HTTP attempt; presigning never reaches it.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      counter.record((context.commandName ?? 'Unknown').replace(/Command$/, ''));
      return next(args);
    },
    { step: 'deserialize', name: 'stufRequestCounter', priority: 'low' },
  );
  return client;
}
