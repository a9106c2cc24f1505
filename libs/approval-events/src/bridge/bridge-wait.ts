import type { Subscription } from 'rxjs';
import { ApprovalCancelledException } from '../errors/approval-cancelled.exception';
import { ApprovalExpiredError } from '../errors/approval-expired.error';
import { ApprovalNotFoundError } from '../errors/approval-not-found.error';
import { ApprovalTimeoutError } from '../errors/approval-timeout.error';
import type { Approval } from '../interfaces/approval.interface';
import { PendingWait } from '../waits/pending-wait';
import type { ApprovalWatch } from './approval-watch';
import type { ApprovalWatches } from './approval-watches';

/**
 * One bridge wait: ends with its approval's authoritative outcome (through the shared
 * watch), or, when its time is up, with one last read.
 *
 * @internal
 */
export class BridgeWait extends PendingWait<Approval> {
  /** The watch's poll count when this wait joined. */
  pollsBefore = 0;
  private watch?: ApprovalWatch;
  private timeoutMs = 0;
  private finalRead?: Subscription;

  /** Joins the approval's shared watch (creating it if needed) and starts the clock. */
  join(
    watches: ApprovalWatches,
    workspaceId: string,
    approvalId: string,
    timeoutMs: number,
    pollIntervalMs: number,
  ): void {
    this.timeoutMs = timeoutMs;
    if (this.begin(timeoutMs)) watches.join(workspaceId, approvalId, pollIntervalMs, this);
  }

  /** The approval is decided: resolve with it, or reject if it was cancelled or expired. */
  deliver(approval: Approval): void {
    if (approval.status === 'cancelled') {
      const reason = approval.resolution?.reason;
      return this.fail(
        new ApprovalCancelledException(
          approval.id,
          typeof reason === 'string' ? reason : undefined,
          approval,
        ),
      );
    }
    if (approval.status === 'expired') {
      // A store that records no deadline still says when it ended the approval.
      const expiredAt = approval.expiresAt ?? approval.resolvedAt ?? new Date().toISOString();
      return this.fail(new ApprovalExpiredError(approval.id, expiredAt, approval));
    }
    this.settle(approval);
  }

  protected detach(): void {
    this.finalRead?.unsubscribe();
    this.finalRead = undefined;
    this.watch?.removeWaiter(this);
  }

  /** Time is up: read once more, so a decision that raced the timer still wins. */
  protected expire(): void {
    const watch = this.watch!;
    const { approvalId } = watch;
    this.finalRead = watch.readOnce$().subscribe({
      next: (approval) => {
        if (approval.status !== 'pending') return this.deliver(approval);
        this.fail(new ApprovalTimeoutError(approvalId, this.timeoutMs, approval));
      },
      error: (error: unknown) =>
        this.fail(
          error instanceof ApprovalNotFoundError
            ? error
            : new ApprovalTimeoutError(approvalId, this.timeoutMs),
        ),
    });
  }

  /** @internal Set by the watch as the wait joins it. */
  attachTo(watch: ApprovalWatch): void {
    this.watch = watch;
    this.pollsBefore = watch.polls;
  }
}
