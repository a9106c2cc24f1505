import { randomUUID } from 'node:crypto';
import type { NewApproval } from './approvals.repository';
import type { CreateApprovalDto } from './dto/create-approval.dto';
import { scheduleOf } from './lifecycle/approval-deadline';

/**
 * The record a validated create asks the store for: a fresh random id, the creation time,
 * the deadline and reminder as absolute times from it, and who creates it.
 *
 * @example
 * const approval = newApprovalOf('ws1', body, 'agent-7');
 */
export function newApprovalOf(
  workspaceId: string,
  input: CreateApprovalDto,
  requester: string,
  createdAt = new Date(),
): NewApproval {
  const { expiresInMs, expiresAt, onExpiry, remindAfterMs } = input;
  return {
    id: randomUUID(),
    workspaceId,
    action: input.action,
    // A JSON round trip keeps plain data only (no prototypes, getters or class instances).
    payload: input.payload === undefined ? undefined : plainCopy(input.payload),
    requestedBy: input.requestedBy,
    requester,
    createdAt: createdAt.toISOString(),
    ...scheduleOf({ expiresInMs, expiresAt, onExpiry, remindAfterMs }, createdAt),
  };
}

function plainCopy(value: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}
