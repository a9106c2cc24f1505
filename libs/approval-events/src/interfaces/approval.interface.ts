/**
 * Every state an approval can be in. `pending` is the only non-terminal one. `expired` is
 * the store's own ending of an approval nobody decided before its `expiresAt`; an approval
 * whose expiry policy rejects or approves ends as `rejected` or `auto_approved` instead.
 */
export type ApprovalStatus =
  'pending' | 'approved' | 'rejected' | 'auto_approved' | 'cancelled' | 'expired';

/**
 * The statuses a resolution event may carry, and that end a wait.
 */
export type ResolvedApprovalStatus = Exclude<ApprovalStatus, 'pending'>;

/**
 * One approver's vote on an approval that needs several (`requiredApprovals`).
 *
 * @example
 * const vote: ApprovalVote = { by: 'alice', decision: 'approved', at: '2026-11-24T10:05:00.000Z' };
 */
export interface ApprovalVote {
  /** The voting principal's id. */
  by: string;
  decision: 'approved' | 'rejected';
  /** ISO-8601 time of the vote. */
  at: string;
  notes?: string;
}

/**
 * The authoritative approval record, as the status source (the approvals store or its
 * REST API) returns it. Times are ISO-8601 strings so the record is the same in-process
 * and over the wire.
 *
 * @example
 * const approval: Approval = {
 *   id: 'a1', workspaceId: 'ws1', action: 'send_email', status: 'pending',
 *   createdAt: '2026-11-24T10:00:00.000Z',
 * };
 */
export interface Approval {
  id: string;
  workspaceId: string;
  action: string;
  payload?: Record<string, unknown>;
  /** Who asked: the store's authenticated requester (the host records its principal's id). */
  requestedBy?: string;
  /** On whose behalf, as the requester labelled it: free text, not an identity. */
  requestedFor?: string;
  status: ApprovalStatus;
  createdAt: string;
  /** Free-form details of the decision, for example `{ reason, notes }`. */
  resolution?: Record<string, unknown>;
  resolvedBy?: string;
  resolvedAt?: string;
  /**
   * ISO-8601 deadline: the store ends the approval at this time if it is still pending. A
   * bridge wait reads the approval once then, so it ends on time even without events.
   */
  expiresAt?: string;
  /** Who may vote: principal ids, or `role:<name>` for every principal with that role. */
  approvers?: string[];
  /** Approving votes needed, 1 to 10; the first rejecting vote rejects. */
  requiredApprovals?: number;
  /** The votes so far, oldest first (at most `requiredApprovals` of them). */
  votes?: ApprovalVote[];
}

/**
 * One resolution as it travels on the event bus (Socket.io, in-process, another replica).
 * It is a hint that an approval was decided; the status source stays the truth.
 *
 * @example
 * manager.onApprovalResponse({
 *   approvalId: 'a1', workspaceId: 'ws1', status: 'approved',
 *   resolvedBy: 'alice', resolvedAt: new Date().toISOString(),
 * });
 */
export interface ApprovalResult {
  approvalId: string;
  workspaceId: string;
  status: ResolvedApprovalStatus;
  resolution?: Record<string, unknown>;
  resolvedBy?: string;
  resolvedAt: string;
}
