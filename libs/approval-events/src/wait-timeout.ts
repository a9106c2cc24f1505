import { MAX_TIMEOUT_MS } from './approval-events.constants';

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
