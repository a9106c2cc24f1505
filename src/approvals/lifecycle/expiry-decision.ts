import type { ApprovalDecision, ApprovalRecord } from '../approvals.repository';
import {
  DEFAULT_EXPIRY_POLICY,
  EXPIRY_ACTOR,
  EXPIRY_OUTCOMES,
  expiryResolution,
} from './approval-deadline';

/**
 * The decision the store makes for a pending approval whose `expiresAt` has passed: the
 * status its `onExpiry` names, by {@link EXPIRY_ACTOR}, with an {@link expiryResolution}.
 * The in-memory store applies it as is; PostgreSQL's expiry statement writes the same
 * fields in SQL, built from the same constants (`postgres/expiry.statements.ts`).
 *
 * @example
 * repository.apply(entry, expiryDecision(entry.approval));
 */
export function expiryDecision(
  approval: ApprovalRecord,
  resolvedAt = new Date().toISOString(),
): ApprovalDecision {
  const onExpiry = approval.onExpiry ?? DEFAULT_EXPIRY_POLICY;
  return {
    status: EXPIRY_OUTCOMES[onExpiry],
    resolvedBy: EXPIRY_ACTOR,
    resolution: { ...expiryResolution(approval.expiresAt!, onExpiry) },
    resolvedAt,
  };
}
