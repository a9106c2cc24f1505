import {
  ApprovalNotFoundError,
  type Approval,
  type ApprovalResult,
  type ApprovalStatusSource,
  type ResolvedApprovalStatus,
} from '@app/approval-events';

/** One timestamp for every record, so the store's own size does not depend on the clock. */
const CREATED_AT = '2026-11-24T10:00:00.000Z';

const storeKey = (workspaceId: string, approvalId: string) => `${workspaceId}/${approvalId}`;

/**
 * The approvals store of a host, reduced to a `Map`: reads are async like a real store's and
 * return a copy, as a database row would be. It counts reads, which is what the polling and
 * event-driven modes are compared on.
 */
export class InMemoryStatusSource implements ApprovalStatusSource {
  private readonly approvals = new Map<string, Approval>();
  /** Status reads answered so far. */
  reads = 0;

  /** Adds `count` pending approvals and returns their ids (the same strings the records hold). */
  addPending(workspaceId: string, count: number, prefix = 'approval'): string[] {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = `${prefix}-${i}`;
      this.approvals.set(storeKey(workspaceId, id), {
        id,
        workspaceId,
        action: 'send_email',
        status: 'pending',
        createdAt: CREATED_AT,
      });
      ids.push(id);
    }
    return ids;
  }

  /** Commits a decision and returns the event the host would publish for it. */
  decide(
    workspaceId: string,
    approvalId: string,
    status: ResolvedApprovalStatus = 'approved',
  ): ApprovalResult {
    const key = storeKey(workspaceId, approvalId);
    const approval = this.approvals.get(key);
    if (!approval) throw new ApprovalNotFoundError(workspaceId, approvalId);
    const resolvedAt = new Date().toISOString();
    this.approvals.set(key, { ...approval, status, resolvedBy: 'bench', resolvedAt });
    return { approvalId, workspaceId, status, resolvedBy: 'bench', resolvedAt };
  }

  async getApproval(workspaceId: string, approvalId: string): Promise<Approval> {
    this.reads++;
    const approval = this.approvals.get(storeKey(workspaceId, approvalId));
    if (!approval) throw new ApprovalNotFoundError(workspaceId, approvalId);
    return { ...approval };
  }
}
