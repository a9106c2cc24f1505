import type { Logger } from '@nestjs/common';
import type { ApprovalEventManager } from '../manager/approval-event.manager';
import type { ResolutionSource } from '../approval-events.constants';
import type { ApprovalResult } from '../interfaces/approval.interface';

/**
 * Feeds a resolution from a source the library does not control (an in-process emitter,
 * the remote bus, the replica channel) into the manager. One that fails validation is
 * logged as `Ignored {what}: …` and dropped, never thrown back at whoever sent it.
 */
export function feedUntrusted(
  manager: ApprovalEventManager,
  payload: unknown,
  source: ResolutionSource,
  logger: Logger,
  what: string,
): void {
  try {
    manager.onApprovalResponse(payload as ApprovalResult, source);
  } catch (error) {
    logger.warn(`Ignored ${what}: ${(error as Error).message}`);
  }
}
