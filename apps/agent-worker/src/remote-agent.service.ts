import { HttpService } from '@nestjs/axios';
import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { type Approval, ApprovalQueueBridge, type BridgeWaitOptions } from '@app/approval-events';
import { firstValueFrom } from 'rxjs';
import type { WorkerEnvironment } from './config/worker-environment';

/** Time limit of the REST call that creates an approval. */
const REQUEST_TIMEOUT_MS = 10_000;

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
    private readonly config: ConfigService<WorkerEnvironment, true>,
  ) {}

  /** Creates a pending approval on the host and returns it. */
  async request(
    workspaceId: string,
    action: string,
    payload?: Record<string, unknown>,
  ): Promise<Approval> {
    const apiUrl = this.config.get('APPROVALS_API_URL', { infer: true });
    const apiKey = this.config.get('API_KEY', { infer: true });
    const url = `${apiUrl}/workspaces/${encodeURIComponent(workspaceId)}/approvals`;
    const response = await firstValueFrom(
      this.http.post<Approval>(
        url,
        // No requestedBy: the host records the principal its API key stands for.
        { action, payload },
        {
          headers: apiKey ? { 'x-api-key': apiKey } : {},
          timeout: REQUEST_TIMEOUT_MS,
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
