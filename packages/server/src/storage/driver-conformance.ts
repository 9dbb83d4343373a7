import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe } from 'vitest';
import type { StorageDriver } from './driver.js';
import { type ChildDriverRecipe, concurrencyTests } from './conformance/concurrency.js';
import { conditionalTests } from './conformance/conditional.js';
import type { ConformanceContext } from './conformance/helpers.js';
import { listingTests } from './conformance/listing.js';
import { objectTests } from './conformance/objects.js';

export type { ChildDriverRecipe } from './conformance/concurrency.js';

/** What a driver's test file hands the conformance suite. */
export interface ConformanceTarget {
  driver: StorageDriver;
  /** Removes what setup created (temp folder, bucket objects); called once after the suite. */
  cleanup(): Promise<void>;
  /** How another OS process builds an equivalent driver on the same bucket, for the cross-process race. */
  child: ChildDriverRecipe;
}

/**
 * The one behaviour suite every StorageDriver must pass (architecture §3, §10). `setup` runs once; every test works
 * under its own fresh key prefix, so the bucket may be shared with other runs.
 */
export function describeDriverConformance(name: string, setup: () => Promise<ConformanceTarget>): void {
  describe(`storage driver conformance: ${name}`, () => {
    let target: ConformanceTarget | undefined;
    const runId = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}`;
    let counter = 0;

    beforeAll(async () => {
      target = await setup();
    });
    afterAll(async () => {
      await target?.driver.close?.();
      await target?.cleanup();
    });

    const context = (): ConformanceContext => {
      if (!target) throw new Error('conformance setup did not run');
      return { driver: target.driver, prefix: () => `conformance/${runId}/${++counter}/` };
    };
    const child = (): ChildDriverRecipe => {
      if (!target) throw new Error('conformance setup did not run');
      return target.child;
    };

    describe('objects', () => objectTests(context));
    describe('conditional requests', () => conditionalTests(context));
    describe('listing', () => listingTests(context));
    describe('concurrency', () => concurrencyTests(context, child));
  });
}
