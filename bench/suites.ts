import { coreSuite } from './core';
import type { BenchSuite } from './suite';

/**
 * Every suite `bench/run.ts` knows, run in this order. Add one by importing it here, e.g.
 * `hostSuite` from `./host` or `replicasSuite` from `./replicas`.
 */
export const suites: readonly BenchSuite[] = [coreSuite];
