import type { Approval } from '../interfaces/approval.interface';

const CANCELLED = (approvalId: string, reason?: string) =>
  `Approval ${approvalId} was cancelled${reason ? `: ${reason}` : ''}`;

/**
 * A wait ended because the approval was cancelled. Carries the authoritative record.
 *
 * @example
 * try {
 *   await bridge.waitForApproval('ws1', 'a1');
 * } catch (err) {
 *   if (err instanceof ApprovalCancelledException) logger.log(err.reason);
 * }
 */
export class ApprovalCancelledException extends Error {
  override readonly name = 'ApprovalCancelledException';

  constructor(
    readonly approvalId: string,
    readonly reason?: string,
    /** The cancelled approval as the status source returned it. */
    readonly approval?: Approval,
  ) {
    super(CANCELLED(approvalId, reason));
  }
}
