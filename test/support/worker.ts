import type { ApprovalEventManager } from '@app/approval-events';
import type { INestApplicationContext } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import { AgentWorkerModule } from '../../apps/agent-worker/src/agent-worker.module';
import {
  configServiceFor,
  SUBSCRIBER_TOKEN,
  type TestEnvironment,
  withEnvironment,
} from './environment';
import { eventually } from './polling';
import { PRINCIPALS } from './principals';
import { track } from './resources';

export interface WorkerOptions {
  /** The host's base URL (`http://127.0.0.1:<port>`): REST under `/api`, the bus at the root. */
  hostUrl: string;
  /** Where the worker reaches the bus, if not at `hostUrl` (e.g. through a relay). */
  busUrl?: string;
  /** Workspaces the worker subscribes to on the bus. */
  workspaces: string[];
  /** Sent as `x-api-key` on the worker's REST calls; the agent's key by default. */
  apiKey?: string;
  /** Token of the bus handshake; the host's subscriber token by default. */
  token?: string;
  /** `APPROVAL_POLL_INTERVAL_MS`; the worker's default when absent. */
  pollIntervalMs?: number;
  /** Further provider overrides before compiling (e.g. a status source that fails). */
  override?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
}

export interface RunningWorker {
  app: INestApplicationContext;
  close(): Promise<void>;
}

/**
 * Boots the agent worker in-process, pointed at a running host as `main.ts` would be by
 * its environment, and registers it to be closed after the test.
 */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const env: TestEnvironment = {
    APPROVALS_API_URL: `${options.hostUrl}/api`,
    EVENT_BUS_URL: options.busUrl ?? options.hostUrl,
    APPROVAL_EVENTS_SUBSCRIBER_TOKEN: options.token ?? SUBSCRIBER_TOKEN,
    EVENT_BUS_WORKSPACES: options.workspaces.join(','),
    API_KEY: options.apiKey ?? PRINCIPALS.agent.key,
    APPROVAL_POLL_INTERVAL_MS:
      options.pollIntervalMs === undefined ? undefined : String(options.pollIntervalMs),
    LOG_LEVEL: 'error',
  };
  const app = await withEnvironment(env, async () => {
    const builder = Test.createTestingModule({ imports: [AgentWorkerModule] })
      .overrideProvider(ConfigService)
      .useValue(configServiceFor(env));
    const moduleRef = await (options.override?.(builder) ?? builder).compile();
    moduleRef.useLogger(false);
    return moduleRef;
  });
  const close = track('worker', () => app.close());
  await app.init();
  return { app, close };
}

/** Resolves once the worker's manager is connected to the bus (its events trusted). */
export const connectedToBus = (manager: ApprovalEventManager) =>
  eventually('the worker to be connected to the bus', () => manager.isConnected, {
    timeoutMs: 10_000,
  });

/** Resolves once the worker's manager has noticed the bus is down. */
export const disconnectedFromBus = (manager: ApprovalEventManager) =>
  eventually('the worker to notice the bus is down', () => !manager.isConnected);
