import { ApprovalNotFoundError, ApprovalStatusSourceError } from '@app/approval-events';
import { ApprovalsStoreUnavailableError } from './errors/approvals-store-unavailable.error';
import { InMemoryApprovalsRepository } from './in-memory-approvals.repository';
import { StoreApprovalStatusSource } from './store-approval-status.source';

describe('StoreApprovalStatusSource', () => {
  let repository: InMemoryApprovalsRepository;
  let source: StoreApprovalStatusSource;

  beforeEach(async () => {
    repository = new InMemoryApprovalsRepository();
    source = new StoreApprovalStatusSource(repository);
    await repository.create({
      id: 'a1',
      workspaceId: 'ws1',
      action: 'x',
      requester: 'agent-7',
      createdAt: new Date().toISOString(),
    });
  });

  it('returns the stored approval', async () => {
    await expect(source.getApproval('ws1', 'a1')).resolves.toMatchObject({
      id: 'a1',
      status: 'pending',
    });
  });

  it('throws ApprovalNotFoundError with the ids when absent or in another workspace', async () => {
    await expect(source.getApproval('ws1', 'missing')).rejects.toBeInstanceOf(
      ApprovalNotFoundError,
    );
    await expect(source.getApproval('ws2', 'a1')).rejects.toMatchObject({
      name: 'ApprovalNotFoundError',
      workspaceId: 'ws2',
      approvalId: 'a1',
    });
  });

  it('does not read when the read is no longer wanted', async () => {
    const findOne = jest.spyOn(repository, 'findOne');
    const controller = new AbortController();
    controller.abort();
    await expect(
      source.getApproval('ws1', 'a1', { signal: controller.signal }),
    ).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(findOne).not.toHaveBeenCalled();
  });

  it('makes an unreachable store a retryable failure, so waits keep trying', async () => {
    const cause = new ApprovalsStoreUnavailableError(new Error('connect ECONNREFUSED'));
    jest.spyOn(repository, 'findOne').mockRejectedValueOnce(cause);
    const failure = source.getApproval('ws1', 'a1');
    await expect(failure).rejects.toBeInstanceOf(ApprovalStatusSourceError);
    await expect(failure).rejects.toMatchObject({ retryable: true, statusCode: 503, cause });
    // Any other failure is not dressed up as retryable.
    const bug = new TypeError('bug');
    jest.spyOn(repository, 'findOne').mockRejectedValueOnce(bug);
    await expect(source.getApproval('ws1', 'a1')).rejects.toBe(bug);
  });
});
