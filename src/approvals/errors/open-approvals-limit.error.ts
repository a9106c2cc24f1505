/** Seconds a requester at its cap is told to wait when none of its approvals has a deadline. */
export const OPEN_APPROVALS_RETRY_AFTER_SECONDS = 60;

/** The longest `Retry-After` the cap gives, whatever its earliest deadline. */
export const MAX_OPEN_APPROVALS_RETRY_AFTER_SECONDS = 3_600;

const LIMIT_REACHED = (workspaceId: string, limit: number) =>
  `Too many open approvals: this requester already has ${limit} pending in workspace ` +
  `${workspaceId} (MAX_OPEN_APPROVALS_PER_REQUESTER = ${limit}); wait for one to be decided or to expire`;

/**
 * A create would give one requester more pending approvals in a workspace than
 * `MAX_OPEN_APPROVALS_PER_REQUESTER` allows (a looping agent flooding its approvers). The
 * API answers 429 with `Retry-After`: the time to the requester's earliest deadline when one
 * of its approvals has one (capped at an hour), else a minute.
 *
 * @example
 * throw new OpenApprovalsLimitError('ws1', 'agent-7', 100, '2026-11-24T10:05:00.000Z');
 */
export class OpenApprovalsLimitError extends Error {
  override readonly name = 'OpenApprovalsLimitError';
  /** Whole seconds, at least 1. */
  readonly retryAfterSeconds: number;

  constructor(
    readonly workspaceId: string,
    readonly requester: string,
    readonly limit: number,
    /** The earliest `expiresAt` among the requester's pending approvals, if any. */
    nextExpiresAt?: string,
    now = Date.now(),
  ) {
    super(LIMIT_REACHED(workspaceId, limit));
    this.retryAfterSeconds =
      nextExpiresAt === undefined
        ? OPEN_APPROVALS_RETRY_AFTER_SECONDS
        : Math.min(
            MAX_OPEN_APPROVALS_RETRY_AFTER_SECONDS,
            Math.max(1, Math.ceil((Date.parse(nextExpiresAt) - now) / 1_000)),
          );
  }
}
