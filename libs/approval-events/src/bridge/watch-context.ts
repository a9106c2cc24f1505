import type { Observable } from 'rxjs';
import type { Approval } from '../interfaces/approval.interface';
import type { ResolutionListener } from '../manager/approval-channels';
import type { ApprovalWatch } from './approval-watch';

/**
 * Everything an {@link ApprovalWatch} may ask of what surrounds it, and nothing more: it
 * never sees the manager, the coverage or the metrics themselves, so what a watch can do is
 * read off this interface. `ApprovalWatches` provides it.
 *
 * @internal
 */
export interface WatchContext {
  /** `useEvents`: false makes every watch poll and listen to nothing. */
  readonly useEvents: boolean;
  /** The app is shutting down: the channels and watch maps are dropped whole, not per watch. */
  readonly closing: boolean;
  /** Starts or stops hearing the resolutions of the approval `key`. */
  listen(key: string, listener: ResolutionListener): void;
  unlisten(key: string, listener: ResolutionListener): void;
  /** Whether events can reach the approvals of `workspaceId` now. */
  covers(workspaceId: string): boolean;
  /** One status read. */
  read$(workspaceId: string, approvalId: string): Observable<Approval>;
  /** One status read, retried with backoff (capped at `maxDelayMs`) while retryable. */
  readWithRetry$(workspaceId: string, approvalId: string, maxDelayMs: number): Observable<Approval>;
  /** A wait had to poll: `approval_wait_fallback_total`. */
  countFallback(): void;
  /** An event woke the waiters `seconds` after it arrived: `approval_wake_latency_seconds`. */
  observeWake(seconds: number): void;
  /** A decision a read found that events did not bring: tell everyone else, as a `poll`. */
  echo(approval: Approval): void;
  /** The watch has ended: forget it. */
  forget(watch: ApprovalWatch): void;
}
