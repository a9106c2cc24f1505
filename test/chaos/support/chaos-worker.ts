import { HttpService } from '@nestjs/axios';
import { ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import {
  APPROVAL_EVENTS_OPTIONS,
  ApprovalStatusSource,
  HttpApprovalStatusSource,
  type ResolvedApprovalEventsOptions,
} from '@app/approval-events';
import { AgentWorkerModule } from '../../../apps/agent-worker/src/agent-worker.module';
import {
  configServiceFor,
  type RunningWorker,
  SUBSCRIBER_TOKEN,
  type TestEnvironment,
  track,
  withEnvironment,
} from '../../support';

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
 * Boots the agent worker in-process as `test/support/worker.ts` does, with its status source
 * bound to `wrapStatusSource(the real HttpApprovalStatusSource)`, and registers it to be
 * closed after the test.
 */
export async function startChaosWorker(options: ChaosWorkerOptions): Promise<RunningWorker> {
  const env: TestEnvironment = {
    APPROVALS_API_URL: `${options.hostUrl}/api`,
    EVENT_BUS_URL: options.busUrl,
    APPROVAL_EVENTS_SUBSCRIBER_TOKEN: SUBSCRIBER_TOKEN,
    EVENT_BUS_WORKSPACES: options.workspaces.join(','),
    APPROVAL_POLL_INTERVAL_MS: String(options.pollIntervalMs),
    LOG_LEVEL: 'error',
  };
  const app = await withEnvironment(env, async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AgentWorkerModule] })
      .overrideProvider(ConfigService)
      .useValue(configServiceFor(env))
      .overrideProvider(ApprovalStatusSource)
      .useFactory({
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
      })
      .compile();
    moduleRef.useLogger(false);
    return moduleRef;
  });
  const close = track('chaos worker', () => app.close());
  await app.init();
  return { app, close };
}
