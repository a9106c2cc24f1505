import {
  type Approval,
  type ApprovalStatusReadOptions,
  type ApprovalStatusSource,
  ApprovalStatusSourceError,
} from '@app/approval-events';
import { createHash } from 'node:crypto';
import { hashedUniform } from './prng';

/** The process whose status reads fail: the worker (HTTP) or replica B (its store). */
export type ReadSide = 'worker' | 'replica';

export type ReadFault = 'none' | 'error' | 'timeout';

export interface ReadFaultCounts {
  reads: number;
  error: number;
  timeout: number;
}

const SIDE_CODE: Record<ReadSide, number> = { worker: 1, replica: 2 };

/**
 * Decides which status reads fail, and counts them. A read fails with probability `rate`:
 * half of the failures at once (a 503, a dropped connection), half after hanging for
 * `timeoutMs` (the client's short time limit). Both are retryable, as in production.
 *
 * Whether read n of approval k on a side fails is a function of (seed, side, k, n), not a
 * draw from a shared stream, so the same seed fails the same reads however the calls
 * interleave. At most `maxConsecutive` reads of one approval fail in a row: the bridge backs
 * off exponentially (100, 200, 400 ms … capped at `pollIntervalMs`), so with no cap a run of
 * bad luck, not the product, would decide whether a wait meets `pollIntervalMs + 1 s`.
 * With 2: the worst added delay is 2 × timeoutMs + 110 + 220 ms.
 */
export class ReadFaults {
  readonly counts: Record<ReadSide, ReadFaultCounts> = {
    worker: { reads: 0, error: 0, timeout: 0 },
    replica: { reads: 0, error: 0, timeout: 0 },
  };
  private readonly approvalIndexes = new Map<string, number>();
  private readonly readsSoFar = new Map<string, number>();
  private readonly failingInARow = new Map<string, number>();

  constructor(
    private readonly seed: number,
    readonly rate: number,
    readonly timeoutMs: number,
    readonly maxConsecutive: number,
  ) {}

  /** Makes the reads of this approval subject to faults, numbered by its plan index. */
  register(approvalId: string, planIndex: number): void {
    this.approvalIndexes.set(approvalId, planIndex);
  }

  /**
   * A digest of the fate of the first `reads` reads of each of `approvals` approvals on both
   * sides: equal digests, equal read faults (the counts still depend on how many reads the
   * timing made).
   */
  digest(approvals: number, reads = 30): string {
    const hash = createHash('sha256');
    for (const side of Object.keys(SIDE_CODE) as ReadSide[]) {
      for (let planIndex = 0; planIndex < approvals; planIndex++) {
        let inARow = 0;
        for (let readIndex = 0; readIndex < reads; readIndex++) {
          const fault = this.fateOf(side, planIndex, readIndex, inARow);
          inARow = fault === 'none' ? 0 : inARow + 1;
          hash.update(fault[0]);
        }
      }
    }
    return hash.digest('hex').slice(0, 16);
  }

  /** The fate of the next read of `approvalId` on `side`. */
  next(side: ReadSide, approvalId: string): ReadFault {
    const planIndex = this.approvalIndexes.get(approvalId);
    if (planIndex === undefined) return 'none';
    const key = `${side}:${planIndex}`;
    const readIndex = this.readsSoFar.get(key) ?? 0;
    this.readsSoFar.set(key, readIndex + 1);
    this.counts[side].reads++;
    const inARow = this.failingInARow.get(key) ?? 0;
    const fault = this.fateOf(side, planIndex, readIndex, inARow);
    this.failingInARow.set(key, fault === 'none' ? 0 : inARow + 1);
    if (fault !== 'none') this.counts[side][fault]++;
    return fault;
  }

  private fateOf(side: ReadSide, planIndex: number, readIndex: number, inARow: number): ReadFault {
    const roll = hashedUniform(this.seed, SIDE_CODE[side], planIndex, readIndex);
    if (roll >= this.rate || inARow >= this.maxConsecutive) return 'none';
    return roll < this.rate / 2 ? 'error' : 'timeout';
  }

  /** Runs `read` unless this read is to fail; failures reject as `makeError` says. */
  async apply<T>(
    side: ReadSide,
    approvalId: string,
    read: () => Promise<T>,
    makeError: (fault: Exclude<ReadFault, 'none'>) => Error,
    signal?: AbortSignal,
  ): Promise<T> {
    const fault = this.next(side, approvalId);
    if (fault === 'none') return read();
    if (fault === 'timeout') await hang(this.timeoutMs, signal);
    throw makeError(fault);
  }
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
function hang(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The worker's status source with faults: around the real HTTP one, failing as the HTTP
 * source itself would (retryable `ApprovalStatusSourceError`s).
 */
export class FaultyStatusSource implements ApprovalStatusSource {
  constructor(
    private readonly inner: ApprovalStatusSource,
    private readonly faults: ReadFaults,
  ) {}

  getApproval(
    workspaceId: string,
    approvalId: string,
    options: ApprovalStatusReadOptions = {},
  ): Promise<Approval> {
    return this.faults.apply(
      'worker',
      approvalId,
      () => this.inner.getApproval(workspaceId, approvalId, options),
      (fault) =>
        fault === 'error'
          ? new ApprovalStatusSourceError(
              `chaos: approvals API answered 503 while reading approval ${approvalId}`,
              { retryable: true, statusCode: 503 },
            )
          : new ApprovalStatusSourceError(
              `chaos: read of approval ${approvalId} timed out after ${this.faults.timeoutMs} ms`,
              { retryable: true, statusCode: 408 },
            ),
      options.signal,
    );
  }
}
