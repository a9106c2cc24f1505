import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  type Approval,
  APPROVAL_EVENTS_OPTIONS,
  ApprovalQueueBridge,
  type BridgeWaitOptions,
  type ResolvedApprovalEventsOptions,
} from '@app/approval-events';
import { firstValueFrom } from 'rxjs';

/**
 * What an agent in the worker does: request an approval on the host over REST, then wait
 * for the decision through the bridge (events from the bus, HTTP reads for the truth).
 *
 * @example
 * const approval = await agent.requestAndWait('ws1', 'send_email', { to: 'bob@example.com' });
 */
@Injectable()
export class RemoteAgent {
  private readonly logger = new Logger(RemoteAgent.name);

  constructor(
    private readonly http: HttpService,
    private readonly bridge: ApprovalQueueBridge,
    @Inject(APPROVAL_EVENTS_OPTIONS) private readonly options: ResolvedApprovalEventsOptions,
  ) {}

  /** Creates a pending approval on the host and returns it. */
  async request(
    workspaceId: string,
    action: string,
    payload?: Record<string, unknown>,
  ): Promise<Approval> {
    const url = `${this.options.approvalsApiUrl}/workspaces/${encodeURIComponent(workspaceId)}/approvals`;
    const response = await firstValueFrom(
      this.http.post<Approval>(
        url,
        { action, payload, requestedBy: 'agent-worker' },
        {
          headers: this.options.apiKey ? { 'x-api-key': this.options.apiKey } : {},
          timeout: this.options.requestTimeoutMs,
        },
      ),
    );
    return response.data;
  }

  /** Requests an approval and waits for its decision. */
  async requestAndWait(
    workspaceId: string,
    action: string,
    payload?: Record<string, unknown>,
    options?: BridgeWaitOptions,
  ): Promise<Approval> {
    const approval = await this.request(workspaceId, action, payload);
    this.logger.log(`Waiting for approval ${approval.id} in workspace ${workspaceId}`);
    return this.bridge.waitForApproval(workspaceId, approval.id, options);
  }
}
