import { coreSuite } from './core';
import { hostSuite } from './host';
import { replicasSuite } from './replicas';
import type { BenchSuite } from './suite';

/**
 * Every suite `bench/run.ts` knows, run in this order. Add one by importing it here, e.g.
 * `hostSuite` from `./host` or `replicasSuite` from `./replicas`.
 */
export const suites: readonly BenchSuite[] = [coreSuite, hostSuite, replicasSuite];
