import { type ApprovalResult, toApprovalResult } from '@app/approval-events';
import { EventEmitter2, type CancelablePromise, type WaitForOptions } from 'eventemitter2';
import { Subject, filter, firstValueFrom, take, timeout } from 'rxjs';
import { createCore, WORKSPACE } from './core-fixture';
import { until } from './runtime';

/**
 * The timeout every contender arms per wait: the library's `defaultTimeoutMs`, so each holds
 * the same one-hour timer and none fires during a run.
 */
const WAIT_TIMEOUT_MS = 3_600_000;
/** The event name a `@nestjs/event-emitter` user would emit the resolution under. */
const RESOLVED_EVENT = 'approval.resolved';

/** Every way of waiting for an approval the `core` bench compares, one child process each. */
export const CONTENDER_NAMES = ['map', 'eventemitter2', 'rxjs', 'manager', 'bridge'] as const;
export type ContenderName = (typeof CONTENDER_NAMES)[number];

/** What the chart and the README call each contender. */
export const CONTENDER_LABELS: Readonly<Record<ContenderName, string>> = {
  map: 'Map of resolvers + timer (floor)',
  eventemitter2: 'EventEmitter2.waitFor + filter',
  rxjs: 'RxJS Subject + filter/take/timeout',
  manager: 'ApprovalEventManager.waitForApproval',
  bridge: 'ApprovalQueueBridge.waitForApproval',
};

/**
 * One way of waiting for a resolution, reduced to what the bench drives: `wait` on an
 * approval, then `resolution` (untimed: the store commit, when there is a store) and
 * `dispatch` (timed: the event that must wake that wait).
 */
export interface WaitContender {
  /** Approval ids to wait on, each its own approval (and a pending record when there is a store). */
  approvals(count: number): string[];
  wait(approvalId: string): Promise<unknown>;
  /** Resolves once the waits started so far have done their set-up (the bridge's first read). */
  settled(): Promise<void>;
  /** The event for `approvalId`, after committing its decision where there is a store. */
  resolution(approvalId: string): ApprovalResult;
  dispatch(event: ApprovalResult): void;
  /** Ends every pending wait among `waits` (they reject) and releases every timer. */
  close(waits: readonly Promise<unknown>[]): Promise<void>;
}

/** One timestamp for every event, so the events' own size does not depend on the clock. */
const RESOLVED_AT = '2026-11-24T10:05:00.000Z';

function resolutionOf(approvalId: string): ApprovalResult {
  return {
    approvalId,
    workspaceId: WORKSPACE,
    status: 'approved',
    resolvedBy: 'bench',
    resolvedAt: RESOLVED_AT,
  };
}

const idsFor = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${prefix}-${i}`);

/** The floor: what a hand-written registry costs, keyed by workspace and approval. */
function mapContender(): WaitContender {
  interface Pending {
    resolve(result: ApprovalResult): void;
    reject(error: Error): void;
    timer: NodeJS.Timeout;
  }
  const pending = new Map<string, Pending>();
  const keyOf = (workspaceId: string, approvalId: string) => `${workspaceId}/${approvalId}`;
  return {
    approvals: (count) => idsFor('map', count),
    wait: (approvalId) =>
      new Promise<ApprovalResult>((resolve, reject) => {
        const key = keyOf(WORKSPACE, approvalId);
        const timer = setTimeout(() => {
          pending.delete(key);
          reject(new Error(`timed out waiting for ${approvalId}`));
        }, WAIT_TIMEOUT_MS);
        pending.set(key, { resolve, reject, timer });
      }),
    settled: async () => undefined,
    resolution: resolutionOf,
    dispatch: (event) => {
      const key = keyOf(event.workspaceId, event.approvalId);
      const entry = pending.get(key);
      if (!entry) return;
      pending.delete(key);
      clearTimeout(entry.timer);
      entry.resolve(event);
    },
    close: async () => {
      for (const entry of pending.values()) {
        clearTimeout(entry.timer);
        entry.reject(new Error('closed'));
      }
      pending.clear();
    },
  };
}

/** What a `@nestjs/event-emitter` user writes: one listener with a filter per wait. */
function eventEmitter2Contender(): WaitContender {
  // `EventEmitterModule.forRoot({ maxListeners: 0 })`: the default of 10 would warn.
  const emitter = new EventEmitter2({ maxListeners: 0 });
  return {
    approvals: (count) => idsFor('ee2', count),
    wait: (approvalId) => {
      const options: WaitForOptions = {
        timeout: WAIT_TIMEOUT_MS,
        filter: (event: ApprovalResult) =>
          event.workspaceId === WORKSPACE && event.approvalId === approvalId,
        handleError: false,
        Promise,
        overload: false,
      };
      return emitter.waitFor(RESOLVED_EVENT, options);
    },
    settled: async () => undefined,
    resolution: resolutionOf,
    dispatch: (event) => void emitter.emit(RESOLVED_EVENT, event),
    // Cancelling rejects a pending wait, clears its timer and removes its listener; a settled
    // one ignores it.
    close: async (waits) => {
      for (const wait of waits) (wait as CancelablePromise<unknown>).cancel('closed');
    },
  };
}

/** One hot Subject of resolutions, and per wait the obvious RxJS pipeline over it. */
function rxjsContender(): WaitContender {
  const resolutions$ = new Subject<ApprovalResult>();
  return {
    approvals: (count) => idsFor('rxjs', count),
    wait: (approvalId) =>
      firstValueFrom(
        resolutions$.pipe(
          filter((event) => event.workspaceId === WORKSPACE && event.approvalId === approvalId),
          take(1),
          timeout(WAIT_TIMEOUT_MS),
        ),
      ),
    settled: async () => undefined,
    resolution: resolutionOf,
    dispatch: (event) => resolutions$.next(event),
    // Completing rejects every pending `firstValueFrom` with an EmptyError and ends its timer.
    close: async () => resolutions$.complete(),
  };
}

/** The library's two waits, built as the module builds them (see `core-fixture.ts`). */
function libraryContender(kind: 'manager' | 'bridge', maxPendingWaits: number): WaitContender {
  const core = createCore({ useEvents: true, maxPendingWaits });
  let started = 0;
  return {
    approvals: (count) => core.source.addPending(WORKSPACE, count, kind),
    wait: (approvalId) => {
      started++;
      return kind === 'bridge'
        ? core.bridge.waitForApproval(WORKSPACE, approvalId)
        : core.manager.waitForApproval(WORKSPACE, approvalId);
    },
    // A bridge wait is live once its first status read has come back `pending`.
    settled: () =>
      until(
        () => core.source.readCount >= (kind === 'bridge' ? started : 0),
        'the first status reads',
      ),
    resolution: (approvalId) =>
      kind === 'bridge'
        ? toApprovalResult(core.source.decide(WORKSPACE, approvalId, 'approved'))
        : resolutionOf(approvalId),
    dispatch: (event) => core.manager.onApprovalResponse(event),
    close: (waits) => core.shutdown(waits),
  };
}

/**
 * A fresh contender. `maxPendingWaits` lifts the library's wait limit above what the bench
 * holds pending; the peers have no limit.
 */
export function createContender(name: ContenderName, maxPendingWaits: number): WaitContender {
  switch (name) {
    case 'map':
      return mapContender();
    case 'eventemitter2':
      return eventEmitter2Contender();
    case 'rxjs':
      return rxjsContender();
    case 'manager':
    case 'bridge':
      return libraryContender(name, maxPendingWaits);
  }
}
