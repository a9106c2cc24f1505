import { Inject, Injectable } from '@nestjs/common';
import { defer, firstValueFrom, Observable } from 'rxjs';
import {
  APPROVAL_EVENTS_OPTIONS,
  type ResolvedApprovalEventsOptions,
} from '../approval-events.options';
import { assertIds } from '../validation/approval-result.validation';
import type { Approval } from '../interfaces/approval.interface';
import type { BridgeWaitOptions } from '../interfaces/wait-options.interface';
import { ApprovalStatusReader } from '../reading/approval-status.reader';
import { ApprovalWaitRegistry } from '../waits/approval-wait.registry';
import { resolvePollInterval, resolveTimeout } from '../waits/wait-limits';
import { ApprovalWatches } from './approval-watches';
import { BridgeWait } from './bridge-wait';

/**
 * What agents inject to ask "is it decided yet?" and to wait for the answer.
 *
 * A wait subscribes to the approval's events first and then reads its status once, so a
 * decision made before, during or just after the wait starts is never missed. Events are
 * only hints: each one costs at most one status read, and the wait ends with what the
 * status source says. Wherever events cannot reach the approval (a link down, or its
 * workspace not subscribed on the remote bus) it is polled every `pollIntervalMs`; when
 * events reach it again it is read once more and polling stops. All waits on one approval
 * share one event listener, one poller and one read at a time.
 *
 * @publicApi
 * @example
 * const approval = await bridge.waitForApproval(workspaceId, approvalId, { timeoutMs: 300_000 });
 * if (approval.status === 'approved') await sendEmail();
 */
@Injectable()
export class ApprovalQueueBridge {
  /** @internal Built by Nest's injector from the module's providers; inject it instead. */
  constructor(
    @Inject(APPROVAL_EVENTS_OPTIONS) private readonly options: ResolvedApprovalEventsOptions,
    private readonly reader: ApprovalStatusReader,
    private readonly watches: ApprovalWatches,
    private readonly waits: ApprovalWaitRegistry,
  ) {}

  /**
   * Reads the approval once from the status source.
   *
   * @throws ApprovalNotFoundError when it does not exist in that workspace.
   * @example
   * const { status } = await bridge.getApprovalStatus('ws1', 'a1');
   */
  getApprovalStatus(workspaceId: string, approvalId: string): Promise<Approval> {
    return firstValueFrom(
      defer(() => (assertIds(workspaceId, approvalId), this.reader.read$(workspaceId, approvalId))),
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
   * @throws ApprovalWaitLimitError when `maxPendingWaits` waits are already in progress.
   * @throws ApprovalEventsShutdownError when the application shuts down first.
   * @example
   * const approval = await bridge.waitForApproval('ws1', 'a1', { timeoutMs: 60_000, signal });
   */
  waitForApproval(
    workspaceId: string,
    approvalId: string,
    options: BridgeWaitOptions = {},
  ): Promise<Approval> {
    return new Promise<Approval>((resolve, reject) =>
      this.start(workspaceId, approvalId, options, resolve, reject),
    );
  }

  /**
   * {@link ApprovalQueueBridge.waitForApproval} as a cold observable that emits once and completes; nothing
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
    return new Observable<Approval>((subscriber) => {
      const wait = this.start(
        workspaceId,
        approvalId,
        options,
        (approval) => {
          subscriber.next(approval);
          subscriber.complete();
        },
        (error) => subscriber.error(error),
      );
      return () => wait?.cancel();
    });
  }

  private start(
    workspaceId: string,
    approvalId: string,
    options: BridgeWaitOptions,
    resolve: (approval: Approval) => void,
    reject: (error: unknown) => void,
  ): BridgeWait | undefined {
    let timeoutMs: number;
    let pollIntervalMs: number;
    try {
      assertIds(workspaceId, approvalId);
      timeoutMs = resolveTimeout(options.timeoutMs, this.options.defaultTimeoutMs);
      pollIntervalMs = resolvePollInterval(options.pollIntervalMs, this.options.pollIntervalMs);
    } catch (error) {
      reject(error);
      return undefined;
    }
    const wait = new BridgeWait(this.waits, resolve, reject, options.signal);
    wait.join(this.watches, workspaceId, approvalId, timeoutMs, pollIntervalMs);
    return wait;
  }
}
