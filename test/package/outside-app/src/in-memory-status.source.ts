import type { Approval, ApprovalResult, ApprovalStatusSource } from 'nestjs-approval-events';
import { ApprovalNotFoundError } from 'nestjs-approval-events';

/**
 * The smallest status source an application could write: approvals in a map. It counts its
 * reads, so the test can tell a wait woken by its event (two reads) from one that polled.
 */
export class InMemoryStatusSource implements ApprovalStatusSource {
  private readonly approvals = new Map<string, Approval>();
  reads = 0;

  create(workspaceId: string, id: string, action: string): Approval {
    const approval: Approval = {
      id,
      workspaceId,
      action,
      status: 'pending',
      createdAt: new Date().toISOString(),
    };
    this.approvals.set(`${workspaceId}/${id}`, approval);
    return approval;
  }

  approve(workspaceId: string, id: string, resolvedBy: string): ApprovalResult {
    const approval = this.find(workspaceId, id);
    const resolvedAt = new Date().toISOString();
    this.approvals.set(`${workspaceId}/${id}`, {
      ...approval,
      status: 'approved',
      resolvedBy,
      resolvedAt,
    });
    return { approvalId: id, workspaceId, status: 'approved', resolvedBy, resolvedAt };
  }

  getApproval(workspaceId: string, approvalId: string): Promise<Approval> {
    this.reads += 1;
    try {
      return Promise.resolve(this.find(workspaceId, approvalId));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  private find(workspaceId: string, id: string): Approval {
    const approval = this.approvals.get(`${workspaceId}/${id}`);
    if (!approval) throw new ApprovalNotFoundError(workspaceId, id);
    return approval;
  }
}
