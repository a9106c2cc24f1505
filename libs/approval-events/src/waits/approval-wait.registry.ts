import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ApprovalEventsMetrics } from '../approval-events.metrics';
import {
  APPROVAL_EVENTS_OPTIONS,
  type ResolvedApprovalEventsOptions,
} from '../approval-events.options';
import { ApprovalEventsShutdownError } from '../errors/approval-events-shutdown.error';
import { ApprovalWaitLimitError } from '../errors/approval-wait-limit.error';

/** A wait in progress, as the registry sees it: something it can end. */
export interface TrackedWait {
  /** Ends the wait with `error`; the wait then calls {@link ApprovalWaitRegistry.release}. */
  fail(error: unknown): void;
}

/**
 * Wait accounting, for the manager's waits and the bridge's alike: how many are in
 * progress (`pendingCount`, `approval_waits_pending`), the `maxPendingWaits` bound, and
 * ending every one of them when the application shuts down.
 *
 * @internal
 */
@Injectable()
export class ApprovalWaitRegistry implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('ApprovalEvents');
  /** A `Set`, so ending one of 100 000 waits is O(1), not a scan. */
  private readonly waits = new Set<TrackedWait>();
  private closed = false;

  constructor(
    @Inject(APPROVAL_EVENTS_OPTIONS) private readonly options: ResolvedApprovalEventsOptions,
    private readonly metrics: ApprovalEventsMetrics,
  ) {}

  /** Waits in progress now. */
  get size(): number {
    return this.waits.size;
  }

  /** Whether the application is shutting down (no new wait is taken). */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Counts a wait in.
   *
   * @throws ApprovalEventsShutdownError after shutdown began.
   * @throws ApprovalWaitLimitError when `maxPendingWaits` are already in progress.
   */
  admit(wait: TrackedWait): void {
    if (this.closed) throw new ApprovalEventsShutdownError();
    if (this.waits.size >= this.options.maxPendingWaits) {
      throw new ApprovalWaitLimitError(this.options.maxPendingWaits);
    }
    this.waits.add(wait);
    this.metrics.waitsPending.inc();
  }

  /** Counts a wait out; idempotent. */
  release(wait: TrackedWait): void {
    if (this.waits.delete(wait)) this.metrics.waitsPending.dec();
  }

  /**
   * Ends the waits before Nest closes the HTTP server: `server.close()` waits for requests
   * in flight, so a long-poll still waiting would hold the shutdown until its timeout.
   */
  beforeApplicationShutdown(): void {
    this.onApplicationShutdown();
  }

  /**
   * Ends every pending wait with `ApprovalEventsShutdownError`. Idempotent; also runs on
   * its own in an application context without the earlier hook. One error serves them
   * all: building 100 000 stack traces would be most of the cost of shutting down.
   */
  onApplicationShutdown(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.waits.size === 0) return;
    this.logger.warn(`Shutting down with ${this.waits.size} approval waits pending`);
    const error = new ApprovalEventsShutdownError();
    const pending = [...this.waits];
    // Counted out all at once: each release is then a miss, not a gauge update.
    this.waits.clear();
    this.metrics.waitsPending.set(0);
    for (const wait of pending) wait.fail(error);
  }
}
