/**
 * The S3 server the tests run against, or undefined for an fs-only run: `S3_ENDPOINT` (set by the test setup, which
 * starts a local RGW when none is given), unless `STUF_TEST_S3=off` asks for fs only. No SDK import, so fs-only runs
 * never load the AWS SDK.
 */
export function testS3Endpoint(): string | undefined {
  return process.env.STUF_TEST_S3 === 'off' ? undefined : process.env.S3_ENDPOINT || undefined;
}
