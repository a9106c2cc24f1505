import { HttpService } from '@nestjs/axios';
import { ApprovalStatusSource, HttpApprovalStatusSource } from '@app/approval-events';
import {
  APPROVAL_EVENTS_OPTIONS,
  type ResolvedApprovalEventsOptions,
} from '@app/approval-events/approval-events.options';
import { type RunningWorker, startWorker } from '../../support';

export interface ChaosWorkerOptions {
  /** Where the worker reads approvals (REST under `/api`). */
  hostUrl: string;
  /** Where it reaches the host's bus: a relay the harness cuts. */
  busUrl: string;
  workspaces: string[];
  pollIntervalMs: number;
  /** Wraps the real HTTP status source, e.g. to make reads fail. */
  wrapStatusSource: (http: ApprovalStatusSource) => ApprovalStatusSource;
}

/**
 * Boots the agent worker in-process as `startWorker` does, with its status source bound to
 * `wrapStatusSource(the real HttpApprovalStatusSource)`; it is closed after the test.
 */
export function startChaosWorker(options: ChaosWorkerOptions): Promise<RunningWorker> {
  return startWorker({
    hostUrl: options.hostUrl,
    busUrl: options.busUrl,
    workspaces: options.workspaces,
    pollIntervalMs: options.pollIntervalMs,
    override: (builder) =>
      builder.overrideProvider(ApprovalStatusSource).useFactory({
        inject: [APPROVAL_EVENTS_OPTIONS, HttpService],
        factory: (resolved: ResolvedApprovalEventsOptions, http: HttpService) =>
          options.wrapStatusSource(
            new HttpApprovalStatusSource(
              http,
              resolved.approvalsApiUrl!,
              resolved.apiKey,
              resolved.requestTimeoutMs,
            ),
          ),
      }),
  });
}
