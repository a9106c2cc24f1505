import type { ApprovalStatus } from '@app/approval-events';
import type { ApprovalRecord } from '../approvals.repository';
import type { ExpiryPolicy } from '../lifecycle/approval-deadline';

/** One `approvals` row as `pg` returns it (jsonb parsed, timestamptz as `Date`). */
export interface ApprovalRow {
  id: string;
  workspace_id: string;
  action: string;
  payload: Record<string, unknown> | null;
  requested_by: string | null;
  requested_for: string | null;
  status: ApprovalStatus;
  created_at: Date | string;
  resolution: Record<string, unknown> | null;
  resolved_by: string | null;
  resolved_at: Date | string | null;
  expires_at: Date | string | null;
  on_expiry: ExpiryPolicy | null;
  remind_at: Date | string | null;
  reminded_at: Date | string | null;
}

/** What every statement returns, in {@link ApprovalRow}'s order (`requester` is not shown). */
export const APPROVAL_COLUMNS = [
  'id',
  'workspace_id',
  'action',
  'payload',
  'requested_by',
  'requested_for',
  'status',
  'created_at',
  'resolution',
  'resolved_by',
  'resolved_at',
  'expires_at',
  'on_expiry',
  'remind_at',
  'reminded_at',
] as const;

/** The row as the API's approval: absent optional fields left out, times as ISO-8601. */
export function toApproval(row: ApprovalRow): ApprovalRecord {
  const approval: ApprovalRecord = {
    id: row.id,
    workspaceId: row.workspace_id,
    action: row.action,
    status: row.status,
    createdAt: isoString(row.created_at),
  };
  if (row.payload !== null) approval.payload = row.payload;
  if (row.requested_by !== null) approval.requestedBy = row.requested_by;
  if (row.requested_for !== null) approval.requestedFor = row.requested_for;
  if (row.resolution !== null) approval.resolution = row.resolution;
  if (row.resolved_by !== null) approval.resolvedBy = row.resolved_by;
  if (row.resolved_at !== null) approval.resolvedAt = isoString(row.resolved_at);
  if (row.expires_at !== null) approval.expiresAt = isoString(row.expires_at);
  if (row.on_expiry !== null) approval.onExpiry = row.on_expiry;
  if (row.remind_at !== null) approval.remindAt = isoString(row.remind_at);
  if (row.reminded_at !== null) approval.remindedAt = isoString(row.reminded_at);
  return approval;
}

/** Accepts a string too, in case the pool was given custom type parsers. */
function isoString(value: Date | string): string {
  return new Date(value).toISOString();
}
