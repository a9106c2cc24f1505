import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { map, Observable, Subject } from 'rxjs';
import type { ResolutionSource } from '../approval-events.constants';
import { ApprovalEventsMetrics } from '../approval-events.metrics';
import {
  APPROVAL_EVENTS_OPTIONS,
  type ResolvedApprovalEventsOptions,
} from '../approval-events.options';
import { approvalKey } from './approval-key';
import {
  assertIds,
  isSameResolution,
  parseApprovalResult,
} from '../validation/approval-result.validation';
import { ApprovalEventCoverage } from '../links/event-coverage';
import { ApprovalEventsShutdownError } from '../errors/approval-events-shutdown.error';
import { InvalidApprovalEventError } from '../errors/invalid-approval-event.error';
import type { ApprovalResult } from '../interfaces/approval.interface';
import type { ReceivedResolution, WaitOptions } from '../interfaces/wait-options.interface';
import { ApprovalChannels } from './approval-channels';
import { ManagerWait } from './manager-wait';
import { RecentResolutionCache } from './recent-resolution.cache';
import { ApprovalWaitRegistry } from '../waits/approval-wait.registry';
import { resolveTimeout } from '../waits/wait-limits';

/**
 * The hub every resolution passes through. Event sources (the gateway, the in-process
 * listener, the remote bus client, other replicas, the store's announcements, polls) feed it
 * with {@link ApprovalEventManager.onApprovalResponse}; it validates, counts and de-duplicates them and hands each
 * to the listeners of that one approval, so dispatching costs one map lookup however many
 * waits are pending.
 *
 * It trusts events, so its own {@link ApprovalEventManager.waitForApproval} ends on the first event for an
 * approval, as the event says: **agents use `ApprovalQueueBridge`**, which treats events as
 * hints and reads the status source for the outcome.
 *
 * @publicApi
 * @example
 * manager.resolutions$.subscribe((r) => logger.log(`${r.approvalId} ${r.status}`));
 * manager.onApprovalResponse({ approvalId: 'a1', workspaceId: 'ws1', status: 'approved',
 *   resolvedAt: new Date().toISOString() });
 */
@Injectable()
export class ApprovalEventManager implements OnApplicationShutdown {
  private readonly receivedSubject = new Subject<ReceivedResolution>();
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
   * {@link ApprovalEventManager.resolutions$} with where each came from and when, for the parts that must not
   * echo what they were fed (the replica link republishes only what this process learnt
   * first-hand).
   *
   * @example
   * manager.received$.pipe(filter(({ source }) => source !== 'replica')).subscribe(publish);
   */
  readonly received$: Observable<ReceivedResolution> = this.receivedSubject.asObservable();

  /**
   * Whether events can currently be trusted to arrive: true while every event link is up
   * (always true with the in-process bus alone). Emits the current value on subscribe, then
   * each change. Where events cannot reach an approval (a link down, or its workspace not
   * subscribed on the remote bus) the bridge polls it.
   *
   * @example
   * manager.connected$.subscribe((up) => logger.log(up ? 'events' : 'polling'));
   */
  readonly connected$: Observable<boolean>;

  /** @internal Built by Nest's injector from the module's providers; inject it instead. */
  constructor(
    @Inject(APPROVAL_EVENTS_OPTIONS) private readonly options: ResolvedApprovalEventsOptions,
    private readonly metrics: ApprovalEventsMetrics,
    private readonly coverage: ApprovalEventCoverage,
    private readonly waits: ApprovalWaitRegistry,
    private readonly channels: ApprovalChannels,
  ) {
    this.recent = new RecentResolutionCache(
      options.resolutionCacheSize,
      options.resolutionCacheTtlMs,
    );
    this.resolutions$ = this.received$.pipe(map(({ result }) => result));
    this.connected$ = coverage.connected$;
  }

  /** Waits in progress now, in this manager and in every bridge wait. */
  get pendingCount(): number {
    return this.waits.size;
  }

  /** The current value of {@link ApprovalEventManager.connected$}. */
  get isConnected(): boolean {
    return this.coverage.isConnected;
  }

  /**
   * Whether each event link is up now, by name (`replica`, `store`, `remote_bus`); empty
   * with the in-process bus alone. {@link ApprovalEventManager.isConnected} can stay true with one down (the
   * store's announcements cover every wait on their own), so a health check shows these.
   *
   * @example
   * manager.links; // { store: true, replica: false }
   */
  get links(): Readonly<Record<string, boolean>> {
    return this.coverage.linkStates();
  }

  /**
   * Feeds one resolution in. It is validated, counted under `source`, remembered for a
   * short while, published on {@link ApprovalEventManager.resolutions$} and dispatched to the listeners of that
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
    const listening = this.channels.has(key);
    // Most resolutions have no listener here: build the delivery only for someone to take it.
    if (!listening && !this.receivedSubject.observed) return;
    const received: ReceivedResolution = { result: parsed, source, receivedAt };
    if (listening) this.channels.deliver(key, received);
    this.receivedSubject.next(received);
  }

  /**
   * **Trusts events only; agents use the bridge** (`ApprovalQueueBridge.waitForApproval`).
   *
   * Ends with the first resolution event of the approval, as the event says, without reading
   * the status source: a forged event ends it, and an event that never arrives (the store
   * link down, an event-less deployment) leaves it waiting until `timeoutMs`, however the
   * store decided. None of the guarantees of "What every wait guarantees" in the README
   * apply to it (they are the bridge's). Ends at once if an event for it arrived within the
   * last `resolutionCacheTtlMs`. For code that wants the event itself (an audit trail, a
   * relay); kept because the contract names it.
   *
   * @throws ApprovalTimeoutError after `timeoutMs` (default `defaultTimeoutMs`).
   * @throws the signal's reason when `signal` aborts.
   * @throws ApprovalEventsShutdownError on shutdown.
   * @example
   * // Not for deciding whether to act: use bridge.waitForApproval, which reads the truth.
   * const event = await manager.waitForApproval('ws1', 'a1', { timeoutMs: 30_000 });
   * audit.record(event);
   */
  waitForApproval(
    workspaceId: string,
    approvalId: string,
    options: WaitOptions = {},
  ): Promise<ApprovalResult> {
    return new Promise<ApprovalResult>((resolve, reject) => {
      assertIds(workspaceId, approvalId);
      const timeoutMs = resolveTimeout(options.timeoutMs, this.options.defaultTimeoutMs);
      if (this.closed) return reject(new ApprovalEventsShutdownError());
      const key = approvalKey(workspaceId, approvalId);
      const cached = this.recent.get(key);
      if (cached) return resolve(cached);
      const wait = new ManagerWait(this.waits, resolve, reject, options.signal);
      wait.listenOn(this.channels, key, approvalId, timeoutMs);
    });
  }

  /**
   * Completes every stream, ends every listener with `ApprovalEventsShutdownError` and
   * forgets every resolution, so nothing outlives the app. Idempotent.
   */
  onApplicationShutdown(): void {
    if (this.closed) return;
    this.closed = true;
    this.channels.close(new ApprovalEventsShutdownError());
    this.recent.clear();
    this.receivedSubject.complete();
  }
}
