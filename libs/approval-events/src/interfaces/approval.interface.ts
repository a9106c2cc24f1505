/**
 * Every state an approval can be in. `pending` is the only non-terminal one.
 */
export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'auto_approved' | 'cancelled';

/**
 * The statuses a resolution event may carry, and that end a wait.
 */
export type ResolvedApprovalStatus = Exclude<ApprovalStatus, 'pending'>;

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
