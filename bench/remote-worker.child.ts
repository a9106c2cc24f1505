/**
 * A worker process for the `host` bench, forked by `bench/host.ts`. `BENCH_WORKER_MODE`:
 *
 * - `events`: the real agent worker (`AgentWorkerModule` from `apps/agent-worker`), set up by
 *   its environment (`APPROVALS_API_URL`, `EVENT_BUS_URL`, `APPROVAL_EVENTS_SUBSCRIBER_TOKEN`,
 *   `EVENT_BUS_WORKSPACES`): status reads over HTTP, wakeups over Socket.io.
 * - `polling`: the same library with `useEvents: false, pollIntervalMs: 5000`, the old
 *   behaviour (the worker module has no switch for it in its environment).
 *
 * It waits through `ApprovalQueueBridge.waitForApproval` on request (in any workspace; one
 * outside `EVENT_BUS_WORKSPACES` is subscribed on demand) and reports when each
 * wait resolved on the shared clock (`performance.timeOrigin + performance.now()`). It also
 * serves as the bare socket.io-client of the floor measurement.
 */
import {
  ApprovalEventManager,
  ApprovalEventsModule,
  ApprovalQueueBridge,
  ApprovalStatusSource,
  type Approval,
} from '@app/approval-events';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { firstValueFrom, filter, timeout } from 'rxjs';
import { io, type Socket } from 'socket.io-client';
import { AgentWorkerModule } from '../apps/agent-worker/src/agent-worker.module';
import { serveParent, sharedNow, type ChildMessage } from './child-process';
import { POLLING_INTERVAL_MS, RAW_EVENT, RAW_NAMESPACE } from './remote-worker.constants';

/** The polling baseline: the library as the worker uses it, minus the events. */
@Module({})
class PollingWorkerModule {}

async function bootWorker(mode: string): Promise<INestApplicationContext> {
  const entry =
    mode === 'polling'
      ? {
          module: PollingWorkerModule,
          imports: [
            EventEmitterModule.forRoot(),
            ApprovalEventsModule.forRoot({
              approvalsApiUrl: process.env.APPROVALS_API_URL,
              apiKey: process.env.API_KEY,
              useEvents: false,
              pollIntervalMs: POLLING_INTERVAL_MS,
            }),
          ],
        }
      : AgentWorkerModule;
  const app = await NestFactory.createApplicationContext(entry, { logger: ['error'] });
  if (mode !== 'polling') {
    // Until the bus is connected and subscribed, waits poll: measure events, not that.
    await firstValueFrom(
      app
        .get(ApprovalEventManager)
        .connected$.pipe(
          filter(Boolean),
          timeout({ first: 30_000, with: () => Promise.reject(new Error('bus not connected')) }),
        ),
    );
  }
  return app;
}

/** Lets a caller wait for the first completed status read of an approval. */
function watchFirstReads(app: INestApplicationContext) {
  const source = app.get<ApprovalStatusSource>(ApprovalStatusSource);
  const firstRead = new Map<string, () => void>();
  const getApproval = source.getApproval.bind(source);
  source.getApproval = async (...args: Parameters<ApprovalStatusSource['getApproval']>) => {
    const approval = await getApproval(...args);
    firstRead.get(args[1])?.();
    firstRead.delete(args[1]);
    return approval;
  };
  return (approvalId: string) => new Promise<void>((resolve) => firstRead.set(approvalId, resolve));
}

async function main(): Promise<void> {
  const mode = process.env.BENCH_WORKER_MODE ?? 'events';
  const app = await bootWorker(mode);
  const bridge = app.get(ApprovalQueueBridge);
  const firstReadOf = watchFirstReads(app);
  // When each resolution event reached this process, to split a wake into its two hops.
  const eventAt = new Map<string, number>();
  app
    .get(ApprovalEventManager)
    .resolutions$.subscribe((result) => eventAt.set(result.approvalId, sharedNow()));
  const sockets: Socket[] = [];

  const startWait = async ({ workspaceId, approvalId, timeoutMs }: ChildMessage) => {
    const [workspace, id] = [workspaceId as string, approvalId as string];
    const ready = firstReadOf(id);
    bridge.waitForApproval(workspace, id, { timeoutMs: (timeoutMs as number) ?? 60_000 }).then(
      (approval: Approval) => {
        const at = sharedNow();
        process.send?.({
          type: 'resolved',
          approvalId: id,
          status: approval.status,
          at,
          eventAt: eventAt.get(id),
        });
        eventAt.delete(id);
      },
      (error: Error) =>
        process.send?.({ type: 'wait-failed', approvalId: id, message: error.message }),
    );
    await ready;
  };

  /** `count` status reads one after another, each timed here. */
  const timeReads = async ({ workspaceId, approvalId, count }: ChildMessage) => {
    const durations: number[] = [];
    for (let i = 0; i < (count as number); i++) {
      const start = sharedNow();
      await bridge.getApprovalStatus(workspaceId as string, approvalId as string);
      durations.push(sharedNow() - start);
    }
    return { durations };
  };

  const connectRaw = async ({ url }: ChildMessage) => {
    const socket = io(`${url as string}${RAW_NAMESPACE}`, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
    });
    sockets.push(socket);
    socket.on(RAW_EVENT, (payload: { id: string }) =>
      process.send?.({ type: 'tick', id: payload.id, at: sharedNow() }),
    );
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
  };

  serveParent(
    async (message) => {
      switch (message.type) {
        case 'wait':
          return startWait(message);
        case 'time-reads':
          return timeReads(message);
        case 'raw-connect':
          return connectRaw(message);
        default:
          throw new Error(`unknown request ${message.type}`);
      }
    },
    async () => {
      for (const socket of sockets) socket.disconnect();
      await app.close();
    },
  );
  process.send?.({ type: 'up', mode });
}

main().catch((error: Error) => {
  process.send?.({ type: 'error', message: error.stack ?? error.message });
  process.exitCode = 1;
  if (process.connected) process.disconnect();
});
