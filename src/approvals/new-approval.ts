import { randomUUID } from 'node:crypto';
import { type Principal } from '../auth';
import { requestedForOf } from './actor-fields';
import type { NewApproval } from './approvals.repository';
import type { CreateApprovalDto } from './dto/create-approval.dto';
import { scheduleOf } from './lifecycle/approval-deadline';

/**
 * The record a validated create asks the store for: a fresh random id, the creation time,
 * the deadline and reminder as absolute times from it, and who creates it: the principal
 * is `requestedBy` and the scope of the cap and of idempotency keys (`requester`); a body
 * label becomes `requestedFor` ({@link requestedForOf}).
 *
 * @throws BadRequestException when the body's `requestedBy` and `requestedFor` disagree.
 * @example
 * const approval = newApprovalOf('ws1', body, principal);
 */
export function newApprovalOf(
  workspaceId: string,
  input: CreateApprovalDto,
  requester: Principal,
  createdAt = new Date(),
): NewApproval {
  const { expiresInMs, expiresAt, onExpiry, remindAfterMs } = input;
  return {
    id: randomUUID(),
    workspaceId,
    action: input.action,
    // A JSON round trip keeps plain data only (no prototypes, getters or class instances).
    payload: input.payload === undefined ? undefined : plainCopy(input.payload),
    requestedBy: requester.id,
    requestedFor: requestedForOf(input, requester),
    requester: requester.id,
    createdAt: createdAt.toISOString(),
    ...scheduleOf({ expiresInMs, expiresAt, onExpiry, remindAfterMs }, createdAt),
  };
}

function plainCopy(value: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}
