import { DEFAULT_WAIT_TIMEOUT_MS } from '../approvals/approvals.constants';
import { ConflictException, Injectable, Logger } from '@nestjs/common';
import {
  type Approval,
  ApprovalCancelledException,
  ApprovalQueueBridge,
  ApprovalTimeoutError,
} from '@app/approval-events';
import { ApprovalsService } from '../approvals/approvals.service';
import type { SendEmailDto } from './dto/send-email.dto';
import { Outbox } from './outbox';
import { type Principal } from '../auth';

/** What happened to the agent's action. */
export type AgentOutcome = 'sent' | 'refused' | 'cancelled' | 'timed_out';

export interface AgentResult {
  outcome: AgentOutcome;
  approval: Approval;
}

/**
 * The intended use of the library, end to end: an agent asks a human to approve an action,
 * waits on the bridge (event-driven, no polling), then acts or refuses.
 */
@Injectable()
export class EmailAgent {
  private readonly logger = new Logger(EmailAgent.name);

  constructor(
    private readonly approvals: ApprovalsService,
    private readonly bridge: ApprovalQueueBridge,
    private readonly outbox: Outbox,
  ) {}

  /**
   * Asks for approval as `requester` (the caller of the demo route: the approval is its
   * request, so it may withdraw it and may not decide it), waits, then sends or refuses.
   */
  async send(
    workspaceId: string,
    email: SendEmailDto,
    requester: Principal,
    signal?: AbortSignal,
  ): Promise<AgentResult> {
    const requested = await this.approvals.create(
      workspaceId,
      { action: 'send_email', payload: { to: email.to, subject: email.subject } },
      requester,
    );
    try {
      const approval = await this.bridge.waitForApproval(workspaceId, requested.id, {
        timeoutMs: email.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS,
        signal,
      });
      if (approval.status === 'rejected') return { outcome: 'refused', approval };
      this.outbox.send({
        workspaceId,
        approvalId: approval.id,
        to: email.to,
        subject: email.subject,
        sentAt: new Date().toISOString(),
      });
      return { outcome: 'sent', approval };
    } catch (error) {
      if (error instanceof ApprovalCancelledException) {
        return { outcome: 'cancelled', approval: error.approval ?? requested };
      }
      // Nobody waits for this approval any more: withdraw it so no human approves it later.
      const timedOut = error instanceof ApprovalTimeoutError;
      const why = timedOut ? 'timed out' : (error as Error).name;
      const withdrawn = await this.withdraw(workspaceId, requested, requester, why);
      if (timedOut) return { outcome: 'timed_out', approval: withdrawn };
      throw error;
    }
  }

  private async withdraw(
    workspaceId: string,
    approval: Approval,
    requester: Principal,
    why: string,
  ): Promise<Approval> {
    try {
      return await this.approvals.cancel(
        workspaceId,
        approval.id,
        { reason: `agent stopped waiting (${why})` },
        requester,
      );
    } catch (error) {
      // Decided in the meantime (409): the decision stands, and the agent did not act on it.
      this.logger.warn(`Could not withdraw approval ${approval.id}: ${(error as Error).message}`);
      // A 409 carries the approval as it is now; anything else needs a read.
      if (error instanceof ConflictException) return error.getResponse() as Approval;
      return this.approvals.get(workspaceId, approval.id);
    }
  }
}
