import { ApprovalNotFoundError } from '../src/errors/approval-not-found.error';
import type { Approval, ApprovalStatus } from '../src/interfaces/approval.interface';
import type {
  ApprovalStatusReadOptions,
  ApprovalStatusSource,
} from '../src/interfaces/approval-status-source.interface';

/**
 * A status source for tests: an in-memory store that counts reads and can be told to fail.
 * `decide` changes the truth without publishing anything, so a test decides which events
 * (if any) the manager hears.
 */
export class FakeStatusSource implements ApprovalStatusSource {
  readonly approvals = new Map<string, Approval>();
  /** The approval id of every read, in order (kept only with `recordReads`). */
  readonly reads: string[] = [];
  /** Reads answered or failed so far. */
  readCount = 0;
  /** Reads still to fail, each with this error. */
  failures: Error[] = [];
  /** When set, reads wait for this promise before answering. */
  gate?: Promise<void>;

  /**
   * @param recordReads keep each read's id in {@link reads}; the benchmarks turn it off so
   *   100 000 reads cost no heap.
   */
  constructor(private readonly recordReads = true) {}

  /** Adds `count` pending approvals `{prefix}-0…` and returns their ids. */
  addPending(workspaceId: string, count: number, prefix = 'approval'): string[] {
    return Array.from({ length: count }, (_, i) => this.add(workspaceId, `${prefix}-${i}`).id);
  }

  add(
    workspaceId: string,
    id: string,
    status: ApprovalStatus = 'pending',
    fields: Partial<Approval> = {},
  ): Approval {
    const approval: Approval = {
      id,
      workspaceId,
      action: 'send_email',
      status,
      createdAt: new Date().toISOString(),
      ...fields,
    };
    this.approvals.set(`${workspaceId}/${id}`, approval);
    return approval;
  }

  decide(workspaceId: string, id: string, status: ApprovalStatus, reason?: string): Approval {
    const approval = this.approvals.get(`${workspaceId}/${id}`)!;
    const decided: Approval = {
      ...approval,
      status,
      resolvedBy: 'alice',
      resolvedAt: new Date().toISOString(),
      ...(reason ? { resolution: { reason } } : {}),
    };
    this.approvals.set(`${workspaceId}/${id}`, decided);
    return decided;
  }

  readsOf(id: string): number {
    return this.reads.filter((read) => read === id).length;
  }

  async getApproval(
    workspaceId: string,
    approvalId: string,
    _options?: ApprovalStatusReadOptions,
  ): Promise<Approval> {
    this.readCount++;
    if (this.recordReads) this.reads.push(approvalId);
    if (this.gate) await this.gate;
    const failure = this.failures.shift();
    if (failure) throw failure;
    const approval = this.approvals.get(`${workspaceId}/${approvalId}`);
    if (!approval) throw new ApprovalNotFoundError(workspaceId, approvalId);
    return { ...approval };
  }
}
