/** Default `APPROVAL_EXPIRY_SWEEP_INTERVAL_MS`: each replica sweeps once a second. */
export const DEFAULT_SWEEP_INTERVAL_MS = 1_000;

/** Bounds of `APPROVAL_EXPIRY_SWEEP_INTERVAL_MS`: never slower than once a second. */
export const MIN_SWEEP_INTERVAL_MS = 10;
export const MAX_SWEEP_INTERVAL_MS = 1_000;

/** Default `MAX_OPEN_APPROVALS_PER_REQUESTER`. */
export const DEFAULT_MAX_OPEN_APPROVALS_PER_REQUESTER = 100;
