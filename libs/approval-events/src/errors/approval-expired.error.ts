import type { Approval } from '../interfaces/approval.interface';

const EXPIRED = (approvalId: string, expiredAt: string) =>
  `Approval ${approvalId} expired at ${expiredAt} without a decision`;

/**
 * A wait ended because the approval itself expired: nobody decided it before its
 * `expiresAt`, and the store ended it as `expired`. Not the waiter's own time limit, which
 * is {@link ApprovalTimeoutError}: after this the approval can never be decided, after a
 * timeout it still can.
 *
 * @example
 * try {
 *   await bridge.waitForApproval('ws1', 'a1');
 * } catch (err) {
 *   if (err instanceof ApprovalExpiredError) logger.log(`nobody answered by ${err.expiredAt}`);
 * }
 */
export class ApprovalExpiredError extends Error {
  override readonly name = 'ApprovalExpiredError';

  constructor(
    readonly approvalId: string,
    /** When it expired: the approval's `expiresAt`, else its `resolvedAt` (ISO-8601). */
    readonly expiredAt: string,
    /** The expired approval as the status source returned it. */
    readonly approval?: Approval,
  ) {
    super(EXPIRED(approvalId, expiredAt));
  }
}
