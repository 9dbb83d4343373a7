/** Whether this test run asked for the fs backend only (`STUF_TEST_S3=off`, refused in CI by the test setup). */
export function s3TestsDisabled(): boolean {
  return process.env.STUF_TEST_S3 === 'off';
}

/**
 * The S3 server the tests run against, or undefined for an fs-only run: `S3_ENDPOINT` (set by the test setup, which
 * starts a local RGW when none is given), unless S3 tests are disabled. No SDK import, so fs-only runs never load the
 * AWS SDK.
 */
export function testS3Endpoint(): string | undefined {
  return s3TestsDisabled() ? undefined : process.env.S3_ENDPOINT || undefined;
}
