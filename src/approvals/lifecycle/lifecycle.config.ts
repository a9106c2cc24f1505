/** Default `APPROVAL_EXPIRY_SWEEP_INTERVAL_MS`: each replica sweeps once a second. */
export const DEFAULT_SWEEP_INTERVAL_MS = 1_000;

/** Bounds of `APPROVAL_EXPIRY_SWEEP_INTERVAL_MS`: never slower than once a second. */
export const MIN_SWEEP_INTERVAL_MS = 10;
export const MAX_SWEEP_INTERVAL_MS = 1_000;

/** Default `MAX_OPEN_APPROVALS_PER_REQUESTER`. */
export const DEFAULT_MAX_OPEN_APPROVALS_PER_REQUESTER = 100;

/**
 * The requester of a create made without a principal: until REST callers are principals,
 * the body's `requestedBy` is the requester, and creates without one share this scope.
 */
export const ANONYMOUS_REQUESTER = 'anonymous';

/**
 * Who creates an approval, for the cap and the idempotency keys: the one place that says
 * so. Today the body's `requestedBy` (a label the caller chose), else
 * {@link ANONYMOUS_REQUESTER}; with authenticated principals, the principal's id.
 *
 * @example
 * requesterOf({ requestedBy: 'agent-7' }) === 'agent-7'
 */
export function requesterOf(body: { requestedBy?: string }): string {
  return body.requestedBy ?? ANONYMOUS_REQUESTER;
}
