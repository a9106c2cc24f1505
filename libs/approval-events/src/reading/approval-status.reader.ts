import { Inject, Injectable, Logger } from '@nestjs/common';
import { Observable, retry, throwError, timer } from 'rxjs';
import { APPROVAL_STATUSES } from '../approval-events.constants';
import { ApprovalNotFoundError } from '../errors/approval-not-found.error';
import { ApprovalStatusSourceError } from '../errors/approval-status-source.error';
import type { Approval } from '../interfaces/approval.interface';
import { ApprovalStatusSource } from '../interfaces/approval-status-source.interface';
import { backoffDelay } from '../utils/backoff';
import { ReadFailureLog } from './read-failure.log';

/** The first retry of a failed read waits this long; each next one twice as long. */
const FIRST_RETRY_DELAY_MS = 100;

/** A read that failed this way may succeed if tried again. */
function isRetryable(error: unknown): boolean {
  if (error instanceof ApprovalNotFoundError) return false;
  if (error instanceof ApprovalStatusSourceError) return error.retryable;
  return true;
}

/**
 * Reads approvals from the status source, the one truth: each read is aborted when nobody
 * needs it any more, checked before it is believed (the right approval, in the right
 * workspace, with a known status), and, where asked, retried with exponential backoff.
 *
 * @internal
 */
@Injectable()
export class ApprovalStatusReader {
  private readonly logger = new Logger(ApprovalStatusReader.name);
  private readonly failures = new ReadFailureLog(this.logger);

  constructor(@Inject(ApprovalStatusSource) private readonly statusSource: ApprovalStatusSource) {}

  /** One read: emits the approval and completes, or errors. */
  read$(workspaceId: string, approvalId: string): Observable<Approval> {
    return new Observable<Approval>((subscriber) => {
      const controller = new AbortController();
      let settled = false;
      this.statusSource.getApproval(workspaceId, approvalId, { signal: controller.signal }).then(
        (approval) => {
          settled = true;
          const problem = problemWith(approval, workspaceId, approvalId);
          if (problem) {
            subscriber.error(new ApprovalStatusSourceError(problem, { retryable: false }));
          } else {
            this.failures.succeeded();
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

  /**
   * {@link read$}, retried while the error is retryable, after 100 ms, 200 ms, 400 ms, …
   * capped at `maxDelayMs` (the poll interval) and jittered; failures are logged, at most
   * one line a minute with the count of the others ({@link ReadFailureLog}).
   */
  readWithRetry$(
    workspaceId: string,
    approvalId: string,
    maxDelayMs: number,
  ): Observable<Approval> {
    return this.read$(workspaceId, approvalId).pipe(
      retry({
        delay: (error: unknown, attempt) => {
          if (!isRetryable(error)) return throwError(() => error);
          const delayMs = backoffDelay(attempt, {
            firstMs: FIRST_RETRY_DELAY_MS,
            maxMs: maxDelayMs,
          });
          this.failures.failed(
            `Status read of approval ${approvalId} failed (attempt ${attempt}): ${(error as Error)?.message}; retrying in ${delayMs} ms`,
          );
          return timer(delayMs);
        },
      }),
    );
  }
}

function problemWith(
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
