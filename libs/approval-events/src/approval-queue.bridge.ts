import { Inject, Injectable, Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import {
  BehaviorSubject,
  catchError,
  defer,
  distinctUntilChanged,
  EMPTY,
  filter,
  finalize,
  firstValueFrom,
  map,
  merge,
  Observable,
  of,
  repeat,
  ReplaySubject,
  retry,
  share,
  switchMap,
  take,
  tap,
  throwError,
  timeout,
  timer,
} from 'rxjs';
import { ApprovalEventManager } from './approval-event.manager';
import { APPROVAL_STATUSES } from './approval-events.constants';
import { ApprovalEventsMetrics } from './approval-events.metrics';
import { abortable, exhaustMapWithTrailing } from './approval-events.operators';
import {
  APPROVAL_EVENTS_OPTIONS,
  type ResolvedApprovalEventsOptions,
} from './approval-events.options';
import { assertIds } from './approval-result.validation';
import { ApprovalCancelledException } from './errors/approval-cancelled.exception';
import { ApprovalNotFoundError } from './errors/approval-not-found.error';
import { ApprovalStatusSourceError } from './errors/approval-status-source.error';
import { ApprovalTimeoutError } from './errors/approval-timeout.error';
import type { Approval } from './interfaces/approval.interface';
import { ApprovalStatusSource } from './interfaces/approval-status-source.interface';
import type { BridgeWaitOptions } from './interfaces/wait-options.interface';
import { resolvePollInterval, resolveTimeout } from './wait-timeout';
import { approvalKey } from './approval-key';

/** Why the status of an approval is being read. */
type ReadTrigger =
  | { kind: 'start' }
  | { kind: 'event'; receivedAt: number }
  | { kind: 'poll' }
  | { kind: 'reconcile' };

/** Everything the waits on one approval share: one event subscription, one poller, one read at a time. */
interface ApprovalWatch {
  /** Emits the approval once the status source says it is no longer pending, then completes. */
  approval$: Observable<Approval>;
  /** Fallback polls made so far, so each wait can tell whether it had to poll. */
  polls: number;
  /**
   * The manager's `connected$`, relayed by the bridge's one subscription. A subscription
   * per watch would put 100 000 observers in one array, each removed by a scan.
   */
  readonly connected: BehaviorSubject<boolean>;
}

const START: ReadTrigger = { kind: 'start' };
const POLL: ReadTrigger = { kind: 'poll' };
const RECONCILE: ReadTrigger = { kind: 'reconcile' };
const FIRST_RETRY_DELAY_MS = 100;

/** ±10 %, so pollers started together do not read in lockstep. */
const jittered = (ms: number) => Math.round(ms * (0.9 + Math.random() * 0.2));

function isRetryable(error: unknown): boolean {
  if (error instanceof ApprovalNotFoundError) return false;
  if (error instanceof ApprovalStatusSourceError) return error.retryable;
  return true;
}

/**
 * What agents inject to ask "is it decided yet?" and to wait for the answer.
 *
 * A wait subscribes to the approval's events first and then reads its status once, so a
 * decision made before, during or just after the wait starts is never missed. Events are
 * only hints: each one costs a status read, and the wait ends with what the status source
 * says. While the event bus is down the approval is polled every `pollIntervalMs`; when
 * the bus comes back it is read once more and polling stops. All waits on one approval
 * share one event subscription, one poller and one read at a time.
 *
 * @example
 * const approval = await bridge.waitForApproval(workspaceId, approvalId, { timeoutMs: 300_000 });
 * if (approval.status === 'approved') await sendEmail();
 */
@Injectable()
export class ApprovalQueueBridge {
  private readonly logger = new Logger(ApprovalQueueBridge.name);
  private readonly watches = new Map<string, ApprovalWatch>();

  constructor(
    @Inject(ApprovalStatusSource) private readonly statusSource: ApprovalStatusSource,
    private readonly manager: ApprovalEventManager,
    private readonly metrics: ApprovalEventsMetrics,
    @Inject(APPROVAL_EVENTS_OPTIONS) private readonly options: ResolvedApprovalEventsOptions,
  ) {
    // Completes with the manager's stream on shutdown.
    this.manager.connected$.subscribe((connected) => {
      for (const watch of this.watches.values()) watch.connected.next(connected);
    });
  }

  /**
   * Reads the approval once from the status source.
   *
   * @throws ApprovalNotFoundError when it does not exist in that workspace.
   * @example
   * const { status } = await bridge.getApprovalStatus('ws1', 'a1');
   */
  getApprovalStatus(workspaceId: string, approvalId: string): Promise<Approval> {
    return firstValueFrom(
      defer(() => (assertIds(workspaceId, approvalId), this.read$(workspaceId, approvalId))),
    );
  }

  /**
   * Waits until the approval is decided and resolves with the authoritative record when it
   * is `approved`, `rejected` or `auto_approved`.
   *
   * @throws ApprovalCancelledException when it was cancelled.
   * @throws ApprovalTimeoutError when `timeoutMs` passes (after one last read).
   * @throws the signal's reason (an `AbortError`) when `signal` aborts.
   * @throws ApprovalNotFoundError when the approval does not exist.
   * @throws ApprovalEventsShutdownError when the application shuts down first.
   * @example
   * const approval = await bridge.waitForApproval('ws1', 'a1', { timeoutMs: 60_000, signal });
   */
  waitForApproval(
    workspaceId: string,
    approvalId: string,
    options: BridgeWaitOptions = {},
  ): Promise<Approval> {
    return firstValueFrom(this.waitForApproval$(workspaceId, approvalId, options));
  }

  /**
   * {@link waitForApproval} as a cold observable that emits once and completes; nothing
   * happens until it is subscribed, and unsubscribing ends the wait.
   *
   * @example
   * bridge.waitForApproval$('ws1', 'a1').pipe(switchMap(() => send$)).subscribe();
   */
  waitForApproval$(
    workspaceId: string,
    approvalId: string,
    options: BridgeWaitOptions = {},
  ): Observable<Approval> {
    return defer(() => {
      assertIds(workspaceId, approvalId);
      const timeoutMs = resolveTimeout(options.timeoutMs, this.options.defaultTimeoutMs);
      const pollIntervalMs = resolvePollInterval(
        options.pollIntervalMs,
        this.options.pollIntervalMs,
      );
      const watch = this.watch(workspaceId, approvalId, pollIntervalMs);
      const pollsBefore = watch.polls;
      return watch.approval$.pipe(
        timeout({
          first: timeoutMs,
          with: () => this.finalRead$(workspaceId, approvalId, timeoutMs),
        }),
        map((approval) => this.settle(approval)),
        finalize(() => {
          if (watch.polls > pollsBefore) this.metrics.waitFallbacks.inc();
        }),
      );
    }).pipe(abortable(options.signal), this.manager.trackWait());
  }

  /** The approval's shared watch, created by its first waiter and removed after its last. */
  private watch(workspaceId: string, approvalId: string, pollIntervalMs: number): ApprovalWatch {
    const key = approvalKey(workspaceId, approvalId);
    const existing = this.watches.get(key);
    if (existing) return existing;

    const watch: ApprovalWatch = {
      polls: 0,
      approval$: EMPTY,
      connected: new BehaviorSubject(this.manager.isConnected),
    };
    // Subscription order is the no-lost-wakeup guarantee: the event channel is live before
    // the first read starts, so a decision lands either in that read or as an event.
    const triggers$: Observable<ReadTrigger> = this.options.useEvents
      ? merge(
          this.manager
            .resolutionsOf(workspaceId, approvalId)
            .pipe(map(({ receivedAt }): ReadTrigger => ({ kind: 'event', receivedAt }))),
          of(START),
          this.fallback$(watch, pollIntervalMs),
        )
      : merge(of(START), this.pollTicks$(watch, pollIntervalMs));

    watch.approval$ = triggers$.pipe(
      exhaustMapWithTrailing((trigger) =>
        this.readWithRetry$(workspaceId, approvalId, pollIntervalMs).pipe(
          map((approval) => ({ approval, trigger })),
        ),
      ),
      filter(({ approval }) => approval.status !== 'pending'),
      take(1),
      tap(({ approval, trigger }) => this.onDecided(approval, trigger)),
      map(({ approval }) => approval),
      finalize(() => {
        if (this.watches.get(key) === watch) this.watches.delete(key);
      }),
      // A waiter that joins as the watch completes still gets the outcome: a decided
      // approval never goes back to pending, so replaying it is always true.
      share({
        connector: () => new ReplaySubject<Approval>(1),
        resetOnError: true,
        resetOnComplete: false,
        resetOnRefCountZero: true,
      }),
    );
    this.watches.set(key, watch);
    return watch;
  }

  /** Nothing while events flow; polls while they cannot be trusted; one read when they return. */
  private fallback$(watch: ApprovalWatch, pollIntervalMs: number): Observable<ReadTrigger> {
    return watch.connected.pipe(
      distinctUntilChanged(),
      switchMap((connected, index) => {
        if (!connected) return this.pollTicks$(watch, pollIntervalMs);
        return index === 0 ? EMPTY : of(RECONCILE);
      }),
    );
  }

  private pollTicks$(watch: ApprovalWatch, pollIntervalMs: number): Observable<ReadTrigger> {
    return defer(() => timer(jittered(pollIntervalMs))).pipe(
      repeat(),
      tap(() => watch.polls++),
      map(() => POLL),
    );
  }

  private onDecided(approval: Approval, trigger: ReadTrigger): void {
    if (trigger.kind === 'event') {
      this.metrics.wakeLatency.observe((performance.now() - trigger.receivedAt) / 1000);
      return;
    }
    // A first read while events are down may also find what the bus never delivered.
    const missedByTheBus =
      trigger.kind === 'poll' ||
      trigger.kind === 'reconcile' ||
      (trigger.kind === 'start' && !this.manager.isConnected);
    if (!missedByTheBus) return;
    // A decision found by polling was missed by the bus: tell the manager, so its other
    // listeners (manager waits, gateway subscribers) learn it too.
    try {
      this.manager.onApprovalResponse(
        {
          approvalId: approval.id,
          workspaceId: approval.workspaceId,
          status: approval.status as Exclude<Approval['status'], 'pending'>,
          resolution: approval.resolution,
          resolvedBy: approval.resolvedBy,
          resolvedAt: approval.resolvedAt ?? new Date().toISOString(),
        },
        'poll',
      );
    } catch (error) {
      this.logger.debug(
        `Could not republish polled approval ${approval.id}: ${(error as Error).message}`,
      );
    }
  }

  private settle(approval: Approval): Approval {
    if (approval.status === 'cancelled') {
      const reason = approval.resolution?.reason;
      throw new ApprovalCancelledException(
        approval.id,
        typeof reason === 'string' ? reason : undefined,
        approval,
      );
    }
    return approval;
  }

  /** Time is up: read once more, so a decision that raced the timer still wins. */
  private finalRead$(
    workspaceId: string,
    approvalId: string,
    timeoutMs: number,
  ): Observable<Approval> {
    return this.read$(workspaceId, approvalId).pipe(
      catchError((error: unknown) =>
        error instanceof ApprovalNotFoundError ? throwError(() => error) : of(undefined),
      ),
      map((approval) => {
        if (approval && approval.status !== 'pending') return approval;
        throw new ApprovalTimeoutError(approvalId, timeoutMs, approval);
      }),
    );
  }

  private readWithRetry$(
    workspaceId: string,
    approvalId: string,
    pollIntervalMs: number,
  ): Observable<Approval> {
    return this.read$(workspaceId, approvalId).pipe(
      retry({
        delay: (error: unknown, attempt) => {
          if (!isRetryable(error)) return throwError(() => error);
          const delayMs = jittered(
            Math.min(pollIntervalMs, FIRST_RETRY_DELAY_MS * 2 ** (attempt - 1)),
          );
          this.logger.warn(
            `Status read of approval ${approvalId} failed (attempt ${attempt}): ${(error as Error)?.message}; retrying in ${delayMs} ms`,
          );
          return timer(delayMs);
        },
      }),
    );
  }

  /** One status read, aborted if nobody needs it any more, and checked before it is believed. */
  private read$(workspaceId: string, approvalId: string): Observable<Approval> {
    return new Observable<Approval>((subscriber) => {
      const controller = new AbortController();
      let settled = false;
      this.statusSource.getApproval(workspaceId, approvalId, { signal: controller.signal }).then(
        (approval) => {
          settled = true;
          const problem = this.problemWith(approval, workspaceId, approvalId);
          if (problem) {
            subscriber.error(new ApprovalStatusSourceError(problem, { retryable: false }));
          } else {
            subscriber.next(approval);
            subscriber.complete();
          }
        },
        (error: unknown) => {
          settled = true;
          subscriber.error(error);
        },
      );
      // Aborting costs an event and a DOMException with a stack: only when still needed.
      return () => {
        if (!settled) controller.abort();
      };
    });
  }

  private problemWith(
    approval: Approval,
    workspaceId: string,
    approvalId: string,
  ): string | undefined {
    if (typeof approval !== 'object' || approval === null) {
      return `The status source returned no approval for ${approvalId}`;
    }
    if (approval.id !== approvalId || approval.workspaceId !== workspaceId) {
      return `The status source returned another approval than ${approvalId} in workspace ${workspaceId}`;
    }
    if (!APPROVAL_STATUSES.has(approval.status)) {
      return `The status source returned an unknown status for approval ${approvalId}`;
    }
    return undefined;
  }
}
