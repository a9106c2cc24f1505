import { filter, firstValueFrom } from 'rxjs';
import type { ApprovalEventManager } from '../src/manager/approval-event.manager';
import { toApprovalResult } from '../src/validation/approval-result.validation';
import type {
  Approval,
  ApprovalResult,
  ResolvedApprovalStatus,
} from '../src/interfaces/approval.interface';
import type { FakeStatusSource } from './fake-status-source';

/** A resolution event: `a1` of `ws1` approved by alice, unless `overrides` say otherwise. */
export const resolution = (overrides: Partial<ApprovalResult> = {}): ApprovalResult => ({
  approvalId: 'a1',
  workspaceId: 'ws1',
  status: 'approved',
  resolvedBy: 'alice',
  resolvedAt: '2026-11-24T10:00:00.000Z',
  ...overrides,
});

/**
 * Decides the approval in `source` and publishes its resolution to `manager`, as the host
 * does; returns the decided approval.
 */
export function decideAndPublish(
  source: FakeStatusSource,
  manager: ApprovalEventManager,
  workspaceId: string,
  approvalId: string,
  status: ResolvedApprovalStatus = 'approved',
  reason?: string,
): Approval {
  const approval = source.decide(workspaceId, approvalId, status, reason);
  manager.onApprovalResponse(toApprovalResult(approval));
  return approval;
}

/** Resolves once `manager.connected$` reports `up`, then unsubscribes; rejects on shutdown. */
async function linkState(manager: ApprovalEventManager, up: boolean): Promise<void> {
  await firstValueFrom(manager.connected$.pipe(filter((connected) => connected === up)));
}

/** Resolves once the manager trusts its events (at once if it already does). */
export const untilConnected = (manager: ApprovalEventManager) => linkState(manager, true);

/** Resolves once the manager no longer trusts its events (at once if it already does not). */
export const untilDisconnected = (manager: ApprovalEventManager) => linkState(manager, false);
