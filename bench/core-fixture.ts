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
  /**
   * Shuts the library down and waits until every wait has ended (all reject). `ended` is
   * `Promise.allSettled(waits)`, made before the call when the caller times only the
   * shutdown: 100 000 handlers take 30-50 ms to attach, and they are the waiter's, not the
   * library's.
   */
  shutdown(waits: readonly Promise<unknown>[], ended?: Promise<unknown>): Promise<void>;
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
    shutdown: async (waits, ended = Promise.allSettled(waits)) => {
      // Handlers first: shutdown rejects every pending wait synchronously.
      core.shutdown();
      await ended;
      if (manager.pendingCount !== 0) {
        throw new Error(`${manager.pendingCount} waits still pending after shutdown`);
      }
    },
  };
}
