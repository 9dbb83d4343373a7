import { describe, expect, it } from 'vitest';
import { ConfigError } from '../env.js';
import { s3OptionsFromEnv } from './s3-env.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const base: Parameters<typeof s3OptionsFromEnv>[0] = { S3_BUCKET: 'b', S3_ENDPOINT: 'http://127.0.0.1:1', S3_FORCE_PATH_STYLE: true, S3_CREATE_BUCKET: false };

describe('s3OptionsFromEnv: part size and the 10,000-part limit', () => {
  it('leaves the driver default when it fits STUF_MAX_FILE_SIZE', () => {
    expect(s3OptionsFromEnv({ ...base, STUF_MAX_FILE_SIZE: 5 * GiB }).partSizeBytes).toBeUndefined();
  });

  it('raises the default part size when STUF_MAX_FILE_SIZE needs more than 10,000 default parts', () => {
    expect(s3OptionsFromEnv({ ...base, STUF_MAX_FILE_SIZE: 100 * GiB }).partSizeBytes).toBe(11 * MiB);
  });

  it('keeps an explicit S3_PART_SIZE_MB that fits and refuses one that does not', () => {
    expect(s3OptionsFromEnv({ ...base, STUF_MAX_FILE_SIZE: 5 * GiB, S3_PART_SIZE_MB: 8 }).partSizeBytes).toBe(8 * MiB);
    expect(() => s3OptionsFromEnv({ ...base, STUF_MAX_FILE_SIZE: 100 * GiB, S3_PART_SIZE_MB: 8 })).toThrow(ConfigError);
    expect(() => s3OptionsFromEnv({ ...base, STUF_MAX_FILE_SIZE: 100 * GiB, S3_PART_SIZE_MB: 8 })).toThrow(/at least 11/);
  });
});
