/** Shared by `bench/host.ts` and the worker process it forks (`remote-worker.child.ts`). */
export const RAW_NAMESPACE = '/raw';
export const RAW_EVENT = 'tick';
/**
 * The polling baseline's interval: the library's default, the old behaviour. Also used by
 * the `core` and `replicas` suites, so every baseline polls at the same interval.
 */
export const POLLING_INTERVAL_MS = 5_000;
