import { coreSuite } from './core';
import { expirySuite } from './expiry';
import { hostSuite } from './host';
import { replicasSuite } from './replicas';
import type { BenchSuite } from './suite';

/**
 * Every suite `bench/run.ts` knows, run in this order. To add one, import its `BenchSuite`
 * here and append it to the list.
 */
export const suites: readonly BenchSuite[] = [coreSuite, hostSuite, replicasSuite, expirySuite];
