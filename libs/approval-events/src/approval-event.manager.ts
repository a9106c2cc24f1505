import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import {
  BehaviorSubject,
  defer,
  distinctUntilChanged,
  firstValueFrom,
  map,
  Observable,
  of,
  Subject,
  take,
  throwError,
  timeout,
  type MonoTypeOperatorFunction,
  type Subscriber,
} from 'rxjs';
import type { ResolutionSource } from './approval-events.constants';
import { ApprovalEventsMetrics } from './approval-events.metrics';
import { abortable } from './approval-events.operators';
import {
  APPROVAL_EVENTS_OPTIONS,
  type ResolvedApprovalEventsOptions,
} from './approval-events.options';
import { assertIds, isSameResolution, parseApprovalResult } from './approval-result.validation';
import { ApprovalEventsShutdownError } from './errors/approval-events-shutdown.error';
import { ApprovalTimeoutError } from './errors/approval-timeout.error';
import { ApprovalWaitLimitError } from './errors/approval-wait-limit.error';
import { InvalidApprovalEventError } from './errors/invalid-approval-event.error';
import type { ApprovalResult } from './interfaces/approval.interface';
import type { ReceivedResolution, WaitOptions } from './interfaces/wait-options.interface';
import { RecentResolutionCache } from './recent-resolution.cache';
import { resolveTimeout } from './wait-timeout';
import { approvalKey } from './approval-key';

/**
 * The hub every resolution passes through. Event sources (the gateway, the in-process
 * listener, the remote bus client, other replicas, polls) feed it with
 * {@link onApprovalResponse}; waiters listen on one keyed channel per approval, so
 * dispatching costs one map lookup however many waits are pending.
 *
 * It trusts events, so its own {@link waitForApproval} ends on the first event for an
 * approval. Agents should use `ApprovalQueueBridge`, which treats events as hints and
 * reads the status source for the outcome.
 *
 * @example
 * manager.resolutions$.subscribe((r) => logger.log(`${r.approvalId} ${r.status}`));
 * manager.onApprovalResponse({ approvalId: 'a1', workspaceId: 'ws1', status: 'approved',
 *   resolvedAt: new Date().toISOString() });
 */
@Injectable()
export class ApprovalEventManager implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(ApprovalEventManager.name);
  private readonly receivedSubject = new Subject<ReceivedResolution>();
  private readonly connectedSubject = new BehaviorSubject<boolean>(true);
  /** One channel per approval that somebody listens to; removed with its last listener. */
  private readonly channels = new Map<string, Subject<ReceivedResolution>>();
  /** Each event link (remote bus, replica fan-out) and whether it is up. */
  private readonly links = new Map<string, boolean>();
  /** A `Set`, not a `Subject`, so ending one of 100 000 waits is O(1), not a scan. */
  private readonly activeWaits = new Set<Subscriber<unknown>>();
  private readonly recent: RecentResolutionCache;
  private closed = false;

  /**
   * Every distinct resolution fed in, hot. A repeat of the last resolution seen for an
   * approval is not repeated here while the recent-resolution cache remembers it (bounded
   * by `resolutionCacheSize` and `resolutionCacheTtlMs`). Completes on shutdown.
   *
   * @example
   * manager.resolutions$.pipe(filter((r) => r.workspaceId === 'ws1')).subscribe(broadcast);
   */
  readonly resolutions$: Observable<ApprovalResult>;

  /**
   * {@link resolutions$} with where each came from and when, for the parts that must not
   * echo what they were fed (the replica link republishes only what this process learnt
   * first-hand).
   *
   * @example
   * manager.received$.pipe(filter(({ source }) => source !== 'replica')).subscribe(publish);
   */
  readonly received$: Observable<ReceivedResolution> = this.receivedSubject.asObservable();

  /**
   * Whether events can currently be trusted to arrive: true while every registered event
   * link is up (always true with the in-process bus alone). Emits the current value on
   * subscribe, then each change. While it is false the bridge polls.
   *
   * @example
   * manager.connected$.subscribe((up) => logger.log(up ? 'events' : 'polling'));
   */
  readonly connected$: Observable<boolean> = this.connectedSubject.pipe(distinctUntilChanged());

  constructor(
    @Inject(APPROVAL_EVENTS_OPTIONS) private readonly options: ResolvedApprovalEventsOptions,
    private readonly metrics: ApprovalEventsMetrics,
  ) {
    this.recent = new RecentResolutionCache(
      options.resolutionCacheSize,
      options.resolutionCacheTtlMs,
    );
    this.resolutions$ = this.received$.pipe(map(({ result }) => result));
  }

  /** Waits in progress now, in this manager and in every bridge wait. */
  get pendingCount(): number {
    return this.activeWaits.size;
  }

  /** The current value of {@link connected$}. */
  get isConnected(): boolean {
    return this.connectedSubject.value;
  }

  /**
   * Feeds one resolution in. It is validated, counted under `source`, remembered for a
   * short while, published on {@link resolutions$} and dispatched to the waiters of that
   * approval only. A repeat of the last resolution seen for the approval is counted but
   * wakes nobody.
   *
   * @param result untrusted input: checked here whatever its static type says.
   * @param source where it came from, for `approval_events_received_total{source}`.
   * @throws InvalidApprovalEventError when malformed (also counted as `invalid_payload`).
   * @example
   * manager.onApprovalResponse(payload, 'gateway');
   */
  onApprovalResponse(result: ApprovalResult, source: ResolutionSource = 'in_process'): void {
    const receivedAt = performance.now();
    const parsed = parseApprovalResult(result);
    if (typeof parsed === 'string') {
      this.metrics.rejected('invalid_payload');
      throw new InvalidApprovalEventError(parsed);
    }
    if (this.closed) return;
    this.metrics.received(source);
    const key = approvalKey(parsed.workspaceId, parsed.approvalId);
    const previous = this.recent.get(key);
    if (previous && isSameResolution(previous, parsed)) return;
    this.recent.set(key, parsed);
    const channel = this.channels.get(key);
    // Most resolutions have no waiter here: build the delivery only for someone to take it.
    if (!channel && !this.receivedSubject.observed) return;
    const received: ReceivedResolution = { result: parsed, source, receivedAt };
    channel?.next(received);
    this.receivedSubject.next(received);
  }

  /**
   * The live resolutions of one approval, from the moment of subscribing (no replay).
   * All listeners of an approval share one channel, removed with the last of them.
   * Errors with `ApprovalEventsShutdownError` on shutdown.
   *
   * @example
   * manager.resolutionsOf('ws1', 'a1').pipe(take(1)).subscribe(({ result }) => wake(result));
   */
  resolutionsOf(workspaceId: string, approvalId: string): Observable<ReceivedResolution> {
    return new Observable<ReceivedResolution>((subscriber) => {
      if (this.closed) return subscriber.error(new ApprovalEventsShutdownError());
      const key = approvalKey(workspaceId, approvalId);
      let channel = this.channels.get(key);
      if (!channel) {
        channel = new Subject<ReceivedResolution>();
        this.channels.set(key, channel);
      }
      const subscription = channel.subscribe(subscriber);
      const ownChannel = channel;
      return () => {
        subscription.unsubscribe();
        if (!ownChannel.observed && this.channels.get(key) === ownChannel)
          this.channels.delete(key);
      };
    });
  }

  /**
   * Waits for the first resolution event of an approval, trusting it. Ends at once if
   * one arrived within the last `resolutionCacheTtlMs`. For an authoritative outcome use
   * `ApprovalQueueBridge.waitForApproval`.
   *
   * @throws ApprovalTimeoutError after `timeoutMs` (default `defaultTimeoutMs`).
   * @throws the signal's reason when `signal` aborts.
   * @throws ApprovalEventsShutdownError on shutdown.
   * @example
   * const result = await manager.waitForApproval('ws1', 'a1', { timeoutMs: 30_000 });
   */
  waitForApproval(
    workspaceId: string,
    approvalId: string,
    options: WaitOptions = {},
  ): Promise<ApprovalResult> {
    const wait$ = defer(() => {
      assertIds(workspaceId, approvalId);
      const timeoutMs = resolveTimeout(options.timeoutMs, this.options.defaultTimeoutMs);
      const cached = this.recent.get(approvalKey(workspaceId, approvalId));
      const resolution$ = cached
        ? of(cached)
        : this.resolutionsOf(workspaceId, approvalId).pipe(map(({ result }) => result));
      return resolution$.pipe(
        take(1),
        timeout({
          first: timeoutMs,
          with: () => throwError(() => new ApprovalTimeoutError(approvalId, timeoutMs)),
        }),
      );
    }).pipe(abortable(options.signal), this.trackWait());
    return firstValueFrom(wait$);
  }

  /**
   * Counts a wait in {@link pendingCount} and `approval_waits_pending` for as long as it is
   * subscribed, and ends it with `ApprovalEventsShutdownError` on shutdown. Refuses it with
   * `ApprovalWaitLimitError` when `maxPendingWaits` are already in progress. The bridge
   * applies it to each of its waits.
   *
   * @example
   * wait$.pipe(manager.trackWait());
   */
  trackWait<T>(): MonoTypeOperatorFunction<T> {
    return (source) =>
      new Observable<T>((subscriber) => {
        if (this.closed) return subscriber.error(new ApprovalEventsShutdownError());
        if (this.activeWaits.size >= this.options.maxPendingWaits) {
          return subscriber.error(new ApprovalWaitLimitError(this.options.maxPendingWaits));
        }
        this.activeWaits.add(subscriber);
        this.metrics.waitsPending.inc();
        const subscription = source.subscribe(subscriber);
        return () => {
          subscription.unsubscribe();
          if (this.activeWaits.delete(subscriber)) this.metrics.waitsPending.dec();
        };
      });
  }

  /**
   * Reports whether one event link is up. {@link connected$} is true while every link
   * that was ever reported is up. The remote bus client and the replica fan-out call this.
   *
   * @example
   * socket.on('connect', () => manager.setLinkState('remote_bus', true));
   */
  setLinkState(link: string, up: boolean): void {
    if (this.closed || this.links.get(link) === up) return;
    this.links.set(link, up);
    const connected = [...this.links.values()].every(Boolean);
    if (connected !== this.connectedSubject.value) {
      this.logger.log(
        connected
          ? 'Event bus connected: waits are event-driven'
          : `Event link "${link}" is down: waits poll`,
      );
      this.connectedSubject.next(connected);
    }
  }

  /**
   * Ends the waits before Nest closes the HTTP server: `server.close()` waits for requests
   * in flight, so a long-poll still waiting would hold the shutdown until its timeout.
   */
  beforeApplicationShutdown(): void {
    this.onApplicationShutdown();
  }

  /**
   * Ends every pending wait with `ApprovalEventsShutdownError`, completes every stream
   * and forgets every resolution, so no timer, subscription or map entry outlives the app.
   * Idempotent; also runs on its own in an application context without the earlier hook.
   */
  onApplicationShutdown(): void {
    if (this.closed) return;
    this.closed = true;
    const pending = [...this.activeWaits];
    if (pending.length > 0)
      this.logger.warn(`Shutting down with ${pending.length} approval waits pending`);
    for (const subscriber of pending) subscriber.error(new ApprovalEventsShutdownError());
    for (const channel of [...this.channels.values()])
      channel.error(new ApprovalEventsShutdownError());
    this.channels.clear();
    this.recent.clear();
    this.receivedSubject.complete();
    this.connectedSubject.complete();
  }
}
