import { toApprovalResult } from '@app/approval-events';
import type {
  ApprovalEventManager,
  ApprovalEventsModuleOptions,
  ApprovalQueueBridge,
} from '@app/approval-events';
import { createApprovalEvents } from '../libs/approval-events/test/wiring';
import { FakeStatusSource } from '../libs/approval-events/test/fake-status-source';

/** The workspace every bench suite works in. */
export const WORKSPACE = 'ws-bench';

/** The library objects as the module wires them, over an in-memory store. */
export interface CoreFixture {
  readonly source: FakeStatusSource;
  readonly manager: ApprovalEventManager;
  readonly bridge: ApprovalQueueBridge;
  /** Decides in the store, then publishes the event, as the host does. */
  decide(approvalId: string): void;
  /** Shuts the manager down and waits until every wait has ended (all reject). */
  shutdown(waits: readonly Promise<unknown>[]): Promise<void>;
}

export function createCore(overrides: ApprovalEventsModuleOptions = {}): CoreFixture {
  const source = new FakeStatusSource(false);
  const core = createApprovalEvents({ source, ...overrides });
  const { manager, bridge } = core;
  return {
    source,
    manager,
    bridge,
    decide: (approvalId) =>
      manager.onApprovalResponse(
        toApprovalResult(source.decide(WORKSPACE, approvalId, 'approved')),
      ),
    shutdown: async (waits) => {
      // Handlers first: shutdown rejects every pending wait synchronously.
      const ended = Promise.allSettled(waits);
      core.shutdown();
      await ended;
      if (manager.pendingCount !== 0) {
        throw new Error(`${manager.pendingCount} waits still pending after shutdown`);
      }
    },
  };
}
