import { performance } from 'node:perf_hooks';
import { defer, map, Observable, repeat, type Subscription, timer } from 'rxjs';
import type { Approval } from '../interfaces/approval.interface';
import type { ReceivedResolution } from '../interfaces/wait-options.interface';
import type { ResolutionListener } from '../manager/approval-channels';
import { jittered } from '../utils/backoff';
import { ApprovalDeadline } from './approval-deadline';
import type { BridgeWait } from './bridge-wait';
import type { WatchContext } from './watch-context';

/** Why the status of an approval is being read. */
const enum Trigger {
  Start,
  Event,
  Poll,
  Reconcile,
  Expiry,
}

/** Every `pollIntervalMs` (jittered anew each time) for as long as it is subscribed. */
const pollTicks$ = (pollIntervalMs: number): Observable<Trigger> =>
  defer(() => timer(jittered(pollIntervalMs))).pipe(
    repeat(),
    map(() => Trigger.Poll),
  );

/**
 * Everything the waits on one approval share: one event listener, one read at a time, and
 * (while events cannot reach the approval) one poller. Created by its first waiter,
 * gone with its last or with the outcome.
 *
 * Reads follow "exhaust with trailing": a trigger that arrives while a read is in flight is
 * not lost (that read may have started before the decision committed) but runs once the
 * read returns; any number of triggers meanwhile cost one read.
 *
 * @internal
 */
export class ApprovalWatch implements ResolutionListener {
  /**
   * Most approvals have one waiter, kept as itself (an array costs two more objects per
   * watch for every GC to mark); an array once a second joins.
   */
  private waiters?: BridgeWait | BridgeWait[];
  /** Fallback polls so far, so each wait can tell whether it had to poll. */
  polls = 0;
  private covered = false;
  private reading?: Subscription;
  private readPending = false;
  private trailing?: Trigger;
  /** `performance.now()` of the event whose read is in flight or queued, for the histogram. */
  private eventAt = 0;
  private polling?: Subscription;
  /** The reads the approval's `expiresAt` asks for, once a read has said it has one. */
  private deadline?: ApprovalDeadline;
  private ended = false;

  constructor(
    readonly workspaceId: string,
    readonly approvalId: string,
    readonly key: string,
    private readonly pollIntervalMs: number,
    private readonly context: WatchContext,
  ) {}

  /** Subscribe first, then read: a decision lands either in that read or as an event. */
  start(): void {
    const { useEvents } = this.context;
    if (useEvents) this.context.listen(this.key, this);
    this.covered = useEvents && this.context.covers(this.workspaceId);
    this.trigger(Trigger.Start);
    if (!this.covered && !this.ended) this.startPolling();
  }

  onResolution(received: ReceivedResolution): void {
    this.eventAt = received.receivedAt;
    this.trigger(Trigger.Event);
  }

  /** Events can (or can no longer) reach this approval: stop (or start) polling. */
  setCovered(covered: boolean): void {
    if (!this.context.useEvents || covered === this.covered || this.ended) return;
    this.covered = covered;
    if (!covered) return this.startPolling();
    this.polling?.unsubscribe();
    this.polling = undefined;
    // What was decided while events could not arrive is found by this one read.
    this.trigger(Trigger.Reconcile);
  }

  addWaiter(wait: BridgeWait): void {
    const current = this.waiters;
    if (current === undefined) this.waiters = wait;
    else if (Array.isArray(current)) current.push(wait);
    else this.waiters = [current, wait];
    wait.attachTo(this);
  }

  /** One read without retries, for a wait's last look when its time is up. */
  readOnce$(): Observable<Approval> {
    return this.context.read$(this.workspaceId, this.approvalId);
  }

  removeWaiter(wait: BridgeWait): void {
    const current = this.waiters;
    if (current === wait) this.waiters = undefined;
    else if (Array.isArray(current) && current.includes(wait)) {
      current.splice(current.indexOf(wait), 1);
      if (current.length === 0) this.waiters = undefined;
    }
    if (this.polls > wait.pollsBefore) this.context.countFallback();
    if (this.waiters === undefined) this.end();
  }

  private startPolling(): void {
    this.polling = pollTicks$(this.pollIntervalMs).subscribe((trigger) => {
      this.polls++;
      this.trigger(trigger);
    });
  }

  private trigger(trigger: Trigger): void {
    if (this.ended) return;
    if (this.readPending) {
      this.trailing = trigger;
      return;
    }
    this.readPending = true;
    const subscription = this.context
      .readWithRetry$(this.workspaceId, this.approvalId, this.pollIntervalMs)
      .subscribe({
        next: (approval) => this.onRead(approval, trigger),
        error: (error: unknown) => this.fail(error),
      });
    // A read that ended synchronously has already cleared `readPending`.
    if (this.readPending) this.reading = subscription;
  }

  private onRead(approval: Approval, trigger: Trigger): void {
    this.readPending = false;
    this.reading = undefined;
    if (approval.status !== 'pending') return this.decided(approval, trigger);
    if (approval.expiresAt !== undefined) {
      this.deadline ??= new ApprovalDeadline(() => this.trigger(Trigger.Expiry));
      this.deadline.pendingWith(approval.expiresAt);
    }
    const next = this.trailing;
    this.trailing = undefined;
    if (next !== undefined) this.trigger(next);
  }

  private decided(approval: Approval, trigger: Trigger): void {
    if (trigger === Trigger.Event) {
      this.context.observeWake((performance.now() - this.eventAt) / 1000);
    }
    const waiters = this.currentWaiters();
    this.end();
    for (const wait of waiters) wait.deliver(approval);
    // Found by a read while events could not reach it: the bus missed it, so tell the
    // manager's other listeners (gateway subscribers, manager waits) as a `poll`.
    const missedByTheBus =
      trigger === Trigger.Poll ||
      trigger === Trigger.Reconcile ||
      ((trigger === Trigger.Start || trigger === Trigger.Expiry) &&
        !this.context.covers(this.workspaceId));
    if (missedByTheBus) this.context.echo(approval);
  }

  private fail(error: unknown): void {
    this.readPending = false;
    const waiters = this.currentWaiters();
    this.end();
    for (const wait of waiters) wait.fail(error);
  }

  /** A copy of the waiters, to end them while they leave. */
  private currentWaiters(): BridgeWait[] {
    const current = this.waiters;
    if (current === undefined) return [];
    return Array.isArray(current) ? [...current] : [current];
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.reading?.unsubscribe();
    this.polling?.unsubscribe();
    this.deadline?.close();
    this.reading = this.polling = undefined;
    // On shutdown the manager's channels and the watch maps are dropped whole instead.
    if (this.context.closing) return;
    this.context.unlisten(this.key, this);
    this.context.forget(this);
  }
}
