import type { Approval } from '../interfaces/approval.interface';

const TIMEOUT_EXCEEDED = (approvalId: string, timeoutMs: number) =>
  `Approval ${approvalId} was not resolved within ${timeoutMs} ms`;

/**
 * A wait ran out of time. `name` is `'TimeoutError'`, like RxJS's and the DOM's, so callers
 * can treat every timeout alike.
 *
 * @example
 * await bridge.waitForApproval('ws1', 'a1', { timeoutMs: 60_000 }).catch((err) => {
 *   if (err instanceof ApprovalTimeoutError) return err.approval; // still pending
 *   throw err;
 * });
 */
export class ApprovalTimeoutError extends Error {
  override readonly name = 'TimeoutError';

  constructor(
    readonly approvalId: string,
    readonly timeoutMs: number,
    /** The approval as read once more when time ran out, if that read succeeded. */
    readonly approval?: Approval,
  ) {
    super(TIMEOUT_EXCEEDED(approvalId, timeoutMs));
  }
}
