import type { ResolutionSource } from '../approval-events.constants';
import type { ApprovalResult } from './approval.interface';

/**
 * Options of one wait.
 *
 * @example
 * const controller = new AbortController();
 * await manager.waitForApproval('ws1', 'a1', { timeoutMs: 60_000, signal: controller.signal });
 */
export interface WaitOptions {
  /**
   * How long to wait before rejecting with `ApprovalTimeoutError`, 0 to 2 147 483 647.
   * @default the module's `defaultTimeoutMs`
   */
  timeoutMs?: number;
  /** Aborting it ends the wait at once with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Options of one bridge wait.
 *
 * @example
 * await bridge.waitForApproval('ws1', 'a1', { timeoutMs: 300_000, pollIntervalMs: 2_000 });
 */
export interface BridgeWaitOptions extends WaitOptions {
  /**
   * How often to read the approval while events cannot be trusted. Polling is per
   * approval: the waits on one approval share one poller at its first waiter's interval.
   * @default the module's `pollIntervalMs`
   */
  pollIntervalMs?: number;
}

/** One resolution as delivered on an approval's channel. */
export interface ReceivedResolution {
  result: ApprovalResult;
  source: ResolutionSource;
  /** `performance.now()` when it was fed in, for the wake latency histogram. */
  receivedAt: number;
}
