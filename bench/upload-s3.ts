import { createReadStream } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { createS3Driver } from '../packages/server/src/storage/s3-driver.js';
import { DEFAULT_PART_SIZE_BYTES, DEFAULT_QUEUE_SIZE } from '../packages/server/src/storage/s3-options.js';
import {
  createPlainS3Client,
  deleteBucketAndContents,
  plainLibStorageUpload,
  s3TestOptions,
  uniqueBucketName,
} from '../packages/server/src/storage/s3-test-support.js';
import { intOption, parseArgs, rejectUnknown } from './lib/args.js';
import { startCountingProxy } from './lib/counting-proxy.js';
import { breakdown, mb, median, mibPerSecond, seconds } from './lib/format.js';
import { streamCreateUpload } from './lib/multipart-client.js';
import { startServerProcess } from './lib/server-process.js';
import { MiB, testFile } from './lib/test-file.js';

/** CPU seconds (user + system) this process used since `since`. */
function cpuSecondsSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

const loadAverage = (): string => loadavg().map((load) => load.toFixed(1)).join(' ');

/** Issue 4's targets. */
const MIN_RATIO = 0.8;
const PEAK_RSS_LIMIT_BYTES = 150e6;
const MAX_EXTRA_REQUESTS = 5;

export const description = 'one large createUpload through STUF on S3 vs lib-storage Upload straight to the bucket; RSS and request budget';
export const usage =
  `--size-mb N (default 1024) --part-size-mb N (default ${DEFAULT_PART_SIZE_BYTES / MiB}, the driver default) ` +
  `--queue-size N (default ${DEFAULT_QUEUE_SIZE}, the driver default) ` +
  '--rounds N (default 2; rounds alternate which upload goes first) --server-node-args="--flag …" --log-requests';

/**
 * Issue 4's benchmark, on the S3 server named by S3_ENDPOINT (S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_REGION), in a
 * fresh bucket that is deleted afterwards:
 *  (a) STUF runs as a child process with STUF_STORAGE=s3 and receives the file as one GraphQL multipart createUpload;
 *  (b) the same file goes straight to the same bucket with plain lib-storage, `new Upload({ client, params, partSize,
 *      queueSize })` on a plain `S3Client` (`plainLibStorageUpload` in s3-test-support.ts): none of STUF's code (no HTTP,
 *      multipart parsing, hashing, part pooling), the same part and queue size, and only the client settings this store
 *      needs (path style; checksums only when required, since Ceph RGW rejects the SDK's default aws-chunked CRC32).
 * Each round runs both, alternating which goes first (a b, b a, …), and the ratio compares median times, so drift in the
 * store (or other load on the machine) does not favour either side. Stored objects are deleted after each upload.
 *
 * Counting the child's storage requests: a counting proxy on loopback sits between *both* uploaders and the S3 server
 * (lib/counting-proxy.ts). This needs no debug hook in the server and leaves the measured process exactly what
 * production runs; the driver's own `requestCounts()` would need the server in this process, whose RSS then would
 * include the benchmark's own client and raw upload. Both (a) and (b) pay the same extra loopback hop. The server's
 * periodic config revalidation is switched off (STUF_CONFIG_REFRESH_MS = 1 h) so that only requests caused by the
 * upload are counted.
 */
export async function run(argv: string[]): Promise<number> {
  const options = parseArgs(argv);
  rejectUnknown(options, ['size-mb', 'part-size-mb', 'queue-size', 'rounds', 'server-node-args', 'log-requests']);
  const sizeMiB = intOption(options, 'size-mb', 1024);
  const partSizeMiB = intOption(options, 'part-size-mb', DEFAULT_PART_SIZE_BYTES / MiB);
  const queueSize = intOption(options, 'queue-size', DEFAULT_QUEUE_SIZE);
  const rounds = intOption(options, 'rounds', 2);
  const serverNodeArgs = options.get('server-node-args')?.split(/\s+/).filter(Boolean) ?? [];
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'; // the SDK's "node >= 22 from 2027" notice
  const bucket = uniqueBucketName('bench');
  const direct = s3TestOptions(bucket);
  if (!direct) {
    process.stderr.write('pnpm bench upload needs an S3 server: set S3_ENDPOINT, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY (e.g. `source /tmp/stuf-s3.env` or `eval "$(scripts/local-s3 start)"`)\n');
    return 2;
  }
  const file = await testFile(sizeMiB);
  const fileName = path.basename(file.path);
  const proxy = await startCountingProxy(direct.endpoint!);
  // Creates the bucket; its client goes straight to the store (not counted) and serves checks and cleanup.
  const admin = await createS3Driver(direct);
  const viaProxy = { ...direct, endpoint: proxy.endpoint, createBucket: false };
  // The baseline must not depend on the code it is compared with: a plain client and a plain lib-storage Upload.
  const rawClient = createPlainS3Client(viaProxy);
  const server = await startServerProcess(
    {
      STUF_STORAGE: 's3',
      S3_BUCKET: bucket,
      S3_ENDPOINT: proxy.endpoint,
      S3_REGION: direct.region!,
      S3_FORCE_PATH_STYLE: 'true',
      ...(direct.credentials ? { S3_ACCESS_KEY_ID: direct.credentials.accessKeyId, S3_SECRET_ACCESS_KEY: direct.credentials.secretAccessKey } : {}),
      S3_PART_SIZE_MB: String(partSizeMiB),
      S3_QUEUE_SIZE: String(queueSize),
      // The server revalidates its config files every 5 s (two conditional GETs), uploads or not; left on, that
      // background traffic would land in whichever upload's count (STUF or raw) happens to be running.
      STUF_CONFIG_REFRESH_MS: String(3_600_000),
    },
    serverNodeArgs,
  ).catch(async (error: unknown) => {
    await cleanup();
    throw error;
  });
  async function cleanup() {
    rawClient.destroy();
    await deleteBucketAndContents(admin.client, bucket).catch((error: unknown) =>
      process.stderr.write(`could not delete bucket ${bucket}: ${error instanceof Error ? error.message : String(error)}\n`),
    );
    await admin.close();
    await proxy.close();
  }

  const missed: string[] = [];
  try {
    process.stdout.write(
      `server: ${server.command}\npart size ${partSizeMiB} MiB, queue size ${queueSize}, ${rounds} round(s), bucket ${bucket}; ` +
        `load average ${loadAverage()} on ${availableParallelism()} CPUs\n`,
    );
    const idleRss = await server.rss();
    const stufTimes: number[] = [];
    const rawTimes: number[] = [];
    const stufServerCpu: number[] = [];
    let stufCounts: Record<string, number> | undefined;
    let rawCounts: Record<string, number> | undefined;

    const viaStuf = async () => {
      proxy.reset();
      const serverCpuBefore = await server.cpuSeconds();
      const benchCpuBefore = process.cpuUsage();
      const started = performance.now();
      const uploaded = await streamCreateUpload(server.url, file.path, file.bytes, fileName);
      const ms = performance.now() - started;
      const benchCpu = cpuSecondsSince(benchCpuBefore);
      await proxy.quiet(); // anything the server still does for this upload after answering counts too
      const serverCpu = (await server.cpuSeconds()) - serverCpuBefore;
      stufServerCpu.push(serverCpu);
      const counts = proxy.counts();
      if (options.has('log-requests') && !stufCounts) {
        const lines = proxy.log().filter((line) => !line.startsWith('UploadPart '));
        process.stdout.write(`storage requests of one createUpload (UploadPart left out):\n  ${lines.join('\n  ')}\n`);
      }
      if (stufCounts && breakdown(stufCounts) !== breakdown(counts)) process.stdout.write(`note: requests differ between rounds: ${breakdown(counts)}\n`);
      if (!stufCounts || counts.total! > stufCounts.total!) stufCounts = counts;
      let storedBytes = 0;
      for await (const object of admin.list(`uploads/${uploaded.uploadId}/data/`)) {
        storedBytes += object.size;
        await admin.delete(object.key); // keep the store's size the same for every upload
      }
      if (uploaded.size !== file.bytes || uploaded.sha256 !== file.sha256 || storedBytes !== file.bytes) {
        missed.push(`integrity: server reported ${uploaded.size} bytes, sha256 ${uploaded.sha256}, stored ${storedBytes} bytes; file has ${file.bytes} bytes, sha256 ${file.sha256}`);
      }
      stufTimes.push(ms);
      process.stdout.write(
        `  STUF createUpload: ${seconds(ms)} (${mibPerSecond(file.bytes, ms)}; CPU: server ${serverCpu.toFixed(1)} s, bench client + proxy ${benchCpu.toFixed(1)} s)\n`,
      );
    };
    const viaRaw = async () => {
      const key = `bench-raw/${fileName}`;
      proxy.reset();
      const benchCpuBefore = process.cpuUsage();
      const started = performance.now();
      const body = createReadStream(file.path, { highWaterMark: MiB });
      await plainLibStorageUpload(rawClient, { Bucket: bucket, Key: key, ContentType: 'application/octet-stream', Body: body }, {
        partSizeBytes: partSizeMiB * MiB,
        queueSize,
      });
      const ms = performance.now() - started;
      const benchCpu = cpuSecondsSince(benchCpuBefore);
      rawCounts = proxy.counts();
      await admin.delete(key);
      rawTimes.push(ms);
      process.stdout.write(`  raw lib-storage:   ${seconds(ms)} (${mibPerSecond(file.bytes, ms)}; CPU: bench lib-storage + proxy ${benchCpu.toFixed(1)} s)\n`);
    };
    for (let round = 0; round < rounds; round++) {
      for (const step of round % 2 === 0 ? [viaStuf, viaRaw] : [viaRaw, viaStuf]) await step();
    }
    const peakRss = await server.peakRss();
    await server.stop();
    if (server.stderr().trim()) process.stdout.write(`server stderr:\n${server.stderr()}\n`);

    const stufMs = median(stufTimes);
    const rawMs = median(rawTimes);
    const ratio = rawMs / stufMs;
    const parts = stufCounts!.UploadPart ?? 0;
    // The file's own requests are what storing the same file with plain lib-storage takes (Create, UploadPart ×N,
    // Complete), measured in this run; everything STUF sends besides those is what one createUpload costs on top.
    const ownRequests = rawCounts!.total!;
    const extra = stufCounts!.total! - ownRequests;
    const besidesParts = stufCounts!.total! - parts;
    process.stdout.write(
      `STUF upload (S3): ${sizeMiB} MiB in ${seconds(stufMs)} (${mibPerSecond(file.bytes, stufMs)}); ` +
        `raw lib-storage Upload: ${seconds(rawMs)} (${mibPerSecond(file.bytes, rawMs)}); ` +
        `ratio STUF/raw = ${ratio.toFixed(2)} (target ≥ ${MIN_RATIO}; medians of ${rounds})\n` +
        `server peak RSS = ${mb(peakRss)} (target < ${mb(PEAK_RSS_LIMIT_BYTES)}; before the first upload: ${mb(idleRss)})\n` +
        `server CPU per STUF upload: ${median(stufServerCpu).toFixed(1)} s (median; load average now ${loadAverage()})\n` +
        `storage requests for one createUpload: ${stufCounts!.total} = ${ownRequests} for the file itself (as many as the raw upload) + ${extra} others (target ≤ ${MAX_EXTRA_REQUESTS}); ` +
        `besides the ${parts} UploadPart requests alone: ${besidesParts}\n` +
        `  STUF: ${breakdown(stufCounts!)}\n` +
        `  raw:  ${breakdown(rawCounts!)}\n`,
    );

    if (missed.length === 0) process.stdout.write(`sha256 OK: ${file.sha256}, ${file.bytes} bytes stored on every round\n`);
    if (ratio < MIN_RATIO) missed.push(`throughput ratio STUF/raw ${ratio.toFixed(2)} < ${MIN_RATIO}`);
    if (peakRss >= PEAK_RSS_LIMIT_BYTES) missed.push(`server peak RSS ${mb(peakRss)} ≥ ${mb(PEAK_RSS_LIMIT_BYTES)}`);
    if (extra > MAX_EXTRA_REQUESTS) missed.push(`${extra} storage requests beyond the file's own ${ownRequests} > ${MAX_EXTRA_REQUESTS}`);
    for (const miss of missed) process.stdout.write(`MISSED: ${miss}\n`);
    if (missed.length === 0) process.stdout.write('all targets met\n');
    return missed.length > 0 ? 1 : 0;
  } finally {
    await server.stop();
    await cleanup();
  }
}
