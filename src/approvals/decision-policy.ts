import type { Approval } from '@app/approval-events';
import { ForbiddenException, Injectable } from '@nestjs/common';
import { AUTH_MESSAGES } from '../auth/auth.constants';
import { hasCapability, type Principal } from '../auth';

/** Why the requester may not decide: the message of the four-eyes 403. */
export const FOUR_EYES_MESSAGE = 'the requester cannot decide its own approval';

/** Whether a principal may approve or reject an approval, and if not, why. */
export type DecisionVerdict = { allowed: true } | { allowed: false; reason: string };

/**
 * The one answer to "may this principal approve or reject this approval?". Every way of
 * deciding asks it, right before the decision is stored:
 *
 * 1. One of its roles must grant `decide` (the route's guard has said so already; asked
 *    again so a caller that is not a route, such as a decision link, cannot skip it).
 * 2. Four-eyes: the principal that created the approval may not decide it (it may still
 *    cancel it). Ids are one namespace across API keys and JWTs: a person who holds both
 *    must have the same id in both for this to hold.
 *
 * Workspace scope is not its question: a principal outside the workspace never learns the
 * approval exists (404, `AuthGuard`).
 *
 * @example
 * decisionPolicy.assertMayDecide(principal, await approvals.get(workspaceId, approvalId));
 */
@Injectable()
export class DecisionPolicy {
  /** The verdict, without throwing: for pages and tools that show what a principal may do. */
  check(principal: Principal, approval: Approval): DecisionVerdict {
    if (!hasCapability(principal, 'decide')) {
      return { allowed: false, reason: AUTH_MESSAGES.roleNeeded('decide', principal) };
    }
    if (approval.requestedBy !== undefined && approval.requestedBy === principal.id) {
      return { allowed: false, reason: FOUR_EYES_MESSAGE };
    }
    return { allowed: true };
  }

  /** @throws ForbiddenException (403) with the reason when the verdict is no. */
  assertMayDecide(principal: Principal, approval: Approval): void {
    const verdict = this.check(principal, approval);
    if (!verdict.allowed) throw new ForbiddenException(verdict.reason);
  }
}
