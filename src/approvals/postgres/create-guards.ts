import type { PoolClient } from 'pg';
import type { IdempotencyClaim, NewApproval } from '../approvals.repository';
import { IdempotencyKeyReusedError } from '../errors/idempotency-key-reused.error';
import { OpenApprovalsLimitError } from '../errors/open-approvals-limit.error';
import type { ApprovalStatements } from './approval-statements';

// The two checks of a PostgreSQL create before its insert, inside its transaction.

/**
 * Claims the create's idempotency key, or returns the id of the approval it already made
 * (same fingerprint). Racing creates with the key wait here on its unique index until the
 * first commits (or rolls back, and then the next one claims it).
 *
 * @throws IdempotencyKeyReusedError when the key came with another body.
 */
export async function claimIdempotencyKey(
  client: PoolClient,
  sql: ApprovalStatements,
  input: NewApproval,
  idempotency: IdempotencyClaim | undefined,
): Promise<string | undefined> {
  if (!idempotency) return undefined;
  const scope = [input.workspaceId, input.requester, idempotency.key];
  const claimed = await client.query(sql.claimKey, [
    ...scope,
    idempotency.fingerprint,
    input.id,
    idempotency.ttlMs,
  ]);
  if (claimed.rowCount) return undefined;
  const { rows } = await client.query<{ fingerprint: string; approval_id: string }>(
    sql.findKey,
    scope,
  );
  if (rows[0].fingerprint !== idempotency.fingerprint) {
    throw new IdempotencyKeyReusedError(input.workspaceId, rows[0].approval_id);
  }
  return rows[0].approval_id;
}

/**
 * Serialises creates of one (workspace, requester) across replicas for the rest of the
 * transaction, then counts its pending approvals: the count sees every earlier holder's
 * committed insert, since under READ COMMITTED each statement takes a fresh snapshot.
 *
 * @throws OpenApprovalsLimitError at the cap.
 */
export async function checkOpenApprovals(
  client: PoolClient,
  sql: ApprovalStatements,
  lockScope: string,
  input: NewApproval,
  limit: number,
): Promise<void> {
  await client.query(sql.lockOpenApprovals, [
    lockScope,
    JSON.stringify([input.workspaceId, input.requester]),
  ]);
  const { rows } = await client.query<{ open: number; next_expires_at: Date | null }>(
    sql.countOpen,
    [input.workspaceId, input.requester],
  );
  const { open, next_expires_at: next } = rows[0];
  if (open < limit) return;
  throw new OpenApprovalsLimitError(
    input.workspaceId,
    input.requester,
    limit,
    next === null ? undefined : new Date(next).toISOString(),
  );
}
