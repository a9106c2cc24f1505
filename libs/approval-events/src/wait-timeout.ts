import { MAX_TIMEOUT_MS, MIN_POLL_INTERVAL_MS } from './approval-events.constants';

/** The wait's time limit: the caller's, checked, or the module default. */
export function resolveTimeout(timeoutMs: number | undefined, fallback: number): number {
  if (timeoutMs === undefined) return fallback;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 0 || timeoutMs > MAX_TIMEOUT_MS) {
    throw new RangeError(
      `timeoutMs must be an integer from 0 to ${MAX_TIMEOUT_MS} (got ${String(timeoutMs)})`,
    );
  }
  return timeoutMs;
}

/** The wait's poll interval: the caller's, checked, or the module default. */
export function resolvePollInterval(pollIntervalMs: number | undefined, fallback: number): number {
  if (pollIntervalMs === undefined) return fallback;
  if (!Number.isInteger(pollIntervalMs) || pollIntervalMs < MIN_POLL_INTERVAL_MS) {
    throw new RangeError(
      `pollIntervalMs must be an integer of at least ${MIN_POLL_INTERVAL_MS} (got ${String(pollIntervalMs)})`,
    );
  }
  return pollIntervalMs;
}
