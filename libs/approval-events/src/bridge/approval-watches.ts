import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Observable, Subscription } from 'rxjs';
import { ApprovalEventManager } from '../manager/approval-event.manager';
import { ApprovalEventsMetrics } from '../approval-events.metrics';
import {
  APPROVAL_EVENTS_OPTIONS,
  type ResolvedApprovalEventsOptions,
} from '../approval-events.options';
import { approvalKey } from '../manager/approval-key';
import { toApprovalResult } from '../validation/approval-result.validation';
import { ApprovalEventCoverage, type CoverageChange } from '../links/event-coverage';
import type { Approval } from '../interfaces/approval.interface';
import { ApprovalChannels, type ResolutionListener } from '../manager/approval-channels';
import { ApprovalStatusReader } from '../reading/approval-status.reader';
import { ApprovalWaitRegistry } from '../waits/approval-wait.registry';
import { ApprovalWatch } from './approval-watch';
import type { BridgeWait } from './bridge-wait';
import type { WatchContext } from './watch-context';

/**
 * The shared watches, by workspace and then approval: a wait joins its approval's watch,
 * or starts it. Tells the coverage which workspaces the watches need (so a link can
 * subscribe on demand) and tells each watch when events start or stop reaching it.
 *
 * @internal
 */
@Injectable()
export class ApprovalWatches implements WatchContext, OnApplicationShutdown {
  private readonly byWorkspace = new Map<string, Map<string, ApprovalWatch>>();
  private readonly coverageChanges: Subscription;

  readonly useEvents: boolean;

  constructor(
    @Inject(APPROVAL_EVENTS_OPTIONS) options: ResolvedApprovalEventsOptions,
    private readonly manager: ApprovalEventManager,
    private readonly channels: ApprovalChannels,
    private readonly coverage: ApprovalEventCoverage,
    private readonly reader: ApprovalStatusReader,
    private readonly metrics: ApprovalEventsMetrics,
    private readonly waits: ApprovalWaitRegistry,
  ) {
    this.useEvents = options.useEvents;
    // One subscription for all watches: one per watch would put 100 000 observers in one
    // array, each removed by a scan.
    this.coverageChanges = coverage.changes$.subscribe((change) => this.onCoverage(change));
  }

  /** Approvals watched now. */
  get size(): number {
    let size = 0;
    for (const watches of this.byWorkspace.values()) size += watches.size;
    return size;
  }

  /** Adds `wait` to its approval's watch, starting the watch if it is the first. */
  join(workspaceId: string, approvalId: string, pollIntervalMs: number, wait: BridgeWait): void {
    let inWorkspace = this.byWorkspace.get(workspaceId);
    const existing = inWorkspace?.get(approvalId);
    if (existing) return existing.addWaiter(wait);
    if (!inWorkspace) {
      inWorkspace = new Map();
      this.byWorkspace.set(workspaceId, inWorkspace);
      this.coverage.acquire(workspaceId);
    }
    const key = approvalKey(workspaceId, approvalId);
    const watch = new ApprovalWatch(workspaceId, approvalId, key, pollIntervalMs, this);
    inWorkspace.set(approvalId, watch);
    watch.addWaiter(wait);
    watch.start();
  }

  /**
   * Whether the app is shutting down: every wait is being failed, so every watch ends, and
   * the maps are dropped whole on shutdown rather than one entry at a time (100 000
   * scattered deletes from two maps were half the cost of shutting down).
   */
  get closing(): boolean {
    return this.waits.isClosed;
  }

  listen(key: string, listener: ResolutionListener): void {
    this.channels.add(key, listener);
  }

  unlisten(key: string, listener: ResolutionListener): void {
    this.channels.remove(key, listener);
  }

  covers(workspaceId: string): boolean {
    return this.coverage.covers(workspaceId);
  }

  read$(workspaceId: string, approvalId: string): Observable<Approval> {
    return this.reader.read$(workspaceId, approvalId);
  }

  readWithRetry$(
    workspaceId: string,
    approvalId: string,
    maxDelayMs: number,
  ): Observable<Approval> {
    return this.reader.readWithRetry$(workspaceId, approvalId, maxDelayMs);
  }

  countFallback(): void {
    this.metrics.waitFallbacks.inc();
  }

  observeWake(seconds: number): void {
    this.metrics.wakeLatency.observe(seconds);
  }

  echo(approval: Approval): void {
    try {
      this.manager.onApprovalResponse(toApprovalResult(approval), 'poll');
    } catch {
      // A record the events validation refuses (say, an odd resolvedAt) just is not echoed.
    }
  }

  /** Called by a watch as it ends. */
  forget(watch: ApprovalWatch): void {
    const inWorkspace = this.byWorkspace.get(watch.workspaceId);
    if (inWorkspace?.get(watch.approvalId) !== watch) return;
    inWorkspace.delete(watch.approvalId);
    if (inWorkspace.size > 0) return;
    this.byWorkspace.delete(watch.workspaceId);
    this.coverage.release(watch.workspaceId);
  }

  onApplicationShutdown(): void {
    this.coverageChanges.unsubscribe();
    this.byWorkspace.clear();
  }

  private onCoverage({ workspaceId }: CoverageChange): void {
    if (workspaceId !== undefined) {
      const watches = this.byWorkspace.get(workspaceId);
      if (watches) this.setCovered(workspaceId, watches);
      return;
    }
    for (const [id, watches] of this.byWorkspace) this.setCovered(id, watches);
  }

  private setCovered(workspaceId: string, watches: Map<string, ApprovalWatch>): void {
    const covered = this.coverage.covers(workspaceId);
    for (const watch of [...watches.values()]) watch.setCovered(covered);
  }
}
