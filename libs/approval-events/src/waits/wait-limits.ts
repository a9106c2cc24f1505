import { MAX_TIMEOUT_MS, MIN_POLL_INTERVAL_MS } from '../approval-events.constants';
import { MAX_JITTERED_DELAY_MS } from '../utils/backoff';

/** What a numeric option may be: an integer from `min` to `max`. */
export interface IntegerRange {
  readonly min: number;
  readonly max: number;
}

/** A wait's `timeoutMs` and the module's `defaultTimeoutMs`: any delay a timer holds. */
export const TIMEOUT_RANGE: IntegerRange = { min: 0, max: MAX_TIMEOUT_MS };

/**
 * A wait's `pollIntervalMs` and the module's: at most what stays timer-safe after the ±10 %
 * jitter (1 952 257 860 ms), so no poll or retry delay is ever cut to 1 ms by Node.
 */
export const POLL_INTERVAL_RANGE: IntegerRange = {
  min: MIN_POLL_INTERVAL_MS,
  max: MAX_JITTERED_DELAY_MS,
};

/**
 * What `value` must be if it is not an integer within `range` (`"an integer from 0 to …"`),
 * or `undefined` when it is. The one range check: the module's options and each wait's use it.
 */
export function integerProblem(value: unknown, { min, max }: IntegerRange): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) {
    return undefined;
  }
  return `an integer from ${min} to ${max}`;
}

/** The caller's value, checked against `range`, or `fallback` when none was given. */
function resolveWaitOption(
  name: string,
  value: number | undefined,
  fallback: number,
  range: IntegerRange,
): number {
  if (value === undefined) return fallback;
  const problem = integerProblem(value, range);
  if (problem) throw new RangeError(`${name} must be ${problem} (got ${String(value)})`);
  return value;
}

/** The wait's time limit: the caller's, checked, or the module default. */
export const resolveTimeout = (timeoutMs: number | undefined, fallback: number): number =>
  resolveWaitOption('timeoutMs', timeoutMs, fallback, TIMEOUT_RANGE);

/** The wait's poll interval: the caller's, checked, or the module default. */
export const resolvePollInterval = (pollIntervalMs: number | undefined, fallback: number): number =>
  resolveWaitOption('pollIntervalMs', pollIntervalMs, fallback, POLL_INTERVAL_RANGE);
